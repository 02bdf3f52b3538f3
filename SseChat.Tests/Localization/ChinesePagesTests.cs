using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Localization;

/// <summary>
/// Every page, rendered for a Chinese reader, holds no English of ours: each text node and each attribute a person
/// reads (title, placeholder, aria-label, alt) is checked for Latin words, apart from names that stay as they are
/// (SseChat, English, ...). What users write is never translated; here they write Chinese, so it cannot hide English.
/// </summary>
public sealed partial class ChinesePagesTests : ChatAppTests
{
    /// <summary>
    /// Text that is not ours to translate: the brand, commands and paths in code, the room address prefix, and the
    /// audit log's "About" and "Detail" cells, a record kept as written when the action happened (like the server
    /// log). What users write is made Chinese below instead of skipped, so that nothing of ours can hide beside it.
    /// </summary>
    private const string NotOurs = ".navbar-brand, code, .input-group-text, #audit td:nth-child(n+4)";

    /// <summary>Words that are the same in a Chinese interface: names, keys on the keyboard, standards.</summary>
    private static readonly HashSet<string> Untranslated =
        ["SseChat", "English", "Enter", "Shift", "ID", "UTF", "ASCII", "UTC", "URL"];

    private static readonly string[] ReadAttributes = ["title", "placeholder", "aria-label", "alt"];

    [Fact]
    public async Task Pages_for_a_Chinese_reader_hold_no_English_of_ours()
    {
        using var admin = await AdminSession.SignInAsync(App, userName: "王管理员");
        admin.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        using var renamed = await admin.SubmitFormAsync("admin/rooms/general/edit", "main form[action$='/edit']",
            new Dictionary<string, string> { ["Name"] = "闲聊", ["Topic"] = "随便聊聊" });
        Assert.Equal(System.Net.HttpStatusCode.Redirect, renamed.StatusCode);
        using var visitor = App.CreateChatClient();
        visitor.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        await visitor.SendAsync("general", "安娜", "大家好");
        await admin.Client.SendAsync("general", admin.UserName, "欢迎");

        var pages = new List<(string Path, IHtmlDocument Page)>
        {
            ("/", await visitor.GetDocumentAsync("")),
            ("/rooms/general", await visitor.GetDocumentAsync("rooms/general")),
            ("/admin/login", await visitor.GetDocumentAsync("admin/login")),
            ("/rooms/no-such-room", await NotFoundPageAsync(visitor)),
        };
        foreach (var path in new[] { "rooms/general", "admin", "admin/rooms/new", "admin/rooms/general/edit",
                     "admin/rooms/general/delete", "admin/rooms/general/messages", "admin/audit", "admin/password" })
        {
            pages.Add(($"/{path} (administrator)", await admin.Client.GetDocumentAsync(path)));
        }

        var english = pages.SelectMany(page => EnglishIn(page.Page).Select(text => $"{page.Path}: {text}")).ToList();
        Assert.True(english.Count == 0, "English in the Chinese interface:" + Environment.NewLine + string.Join(Environment.NewLine, english));
        // The check itself sees the page: the same pages in English are full of English.
        using var englishReader = App.CreateChatClient();
        Assert.NotEmpty(EnglishIn(await englishReader.GetDocumentAsync("rooms/general")));
    }

    private static async Task<IHtmlDocument> NotFoundPageAsync(ChatClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "rooms/no-such-room");
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await client.Http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        return await ChatClient.ParseHtmlAsync(await response.Content.ReadAsStringAsync());
    }

    private static IEnumerable<string> EnglishIn(IHtmlDocument page)
    {
        var skipped = page.QuerySelectorAll(NotOurs).ToHashSet();
        bool IsNotOurs(INode node) => node.GetAncestors().OfType<IElement>().Any(skipped.Contains) || (node is IElement e && skipped.Contains(e));

        foreach (var node in page.Body!.GetDescendants())
        {
            if (node is IText text && text.ParentElement is { LocalName: not ("script" or "style") } && !IsNotOurs(node))
            {
                if (HasEnglish(text.Data))
                {
                    yield return $"<{text.ParentElement.LocalName}> \"{text.Data.Trim()}\"";
                }
            }
            else if (node is IElement element && !IsNotOurs(node))
            {
                foreach (var attribute in ReadAttributes)
                {
                    if (element.GetAttribute(attribute) is { } value && HasEnglish(value))
                    {
                        yield return $"<{element.LocalName} {attribute}=\"{value}\">";
                    }
                }
            }
        }
        if (page.Title is { } title && HasEnglish(title))
        {
            yield return $"<title> \"{title}\"";
        }
    }

    private static bool HasEnglish(string text) =>
        LatinWord().Matches(text).Any(word => !Untranslated.Contains(word.Value));

    [GeneratedRegex("[A-Za-z]{2,}")]
    private static partial Regex LatinWord();
}
