using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Localization;

/// <summary>
/// Which language a request gets (Accept-Language, then the switcher's cookie, which wins), and that pages, validation
/// messages and ProblemDetails speak it, while what users wrote is shown exactly as written in either language.
/// </summary>
public sealed class LanguageTests : ChatAppTests
{
    private const string Room = "general";

    [Theory]
    [InlineData("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans", "房间")]
    [InlineData("zh-Hans", "zh-Hans", "房间")]
    [InlineData("zh-SG", "zh-Hans", "房间")]
    [InlineData("zh", "zh-Hans", "房间")]
    [InlineData("fr-FR,zh;q=0.5", "zh-Hans", "房间")]
    [InlineData("en-US,en;q=0.9", "en", "Rooms")]
    [InlineData("fr-FR,de;q=0.8", "en", "Rooms")]
    [InlineData("zh-TW", "en", "Rooms")]
    public async Task The_browser_s_Accept_Language_picks_the_language_and_anything_unsupported_gets_English(
        string acceptLanguage, string expectedLanguage, string expectedHeading)
    {
        using var client = ClientAsking(acceptLanguage);

        using var response = await client.Http.GetAsync("");
        var page = await ChatClient.ParseHtmlAsync(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expectedLanguage, page.DocumentElement.GetAttribute("lang"));
        Assert.Equal([expectedLanguage], response.Content.Headers.ContentLanguage);
        Assert.Equal(expectedHeading, page.QuerySelector("h1")!.TextContent);
        var chosen = page.QuerySelector("#language-switcher button[aria-pressed=true]")!;
        Assert.Equal(expectedLanguage, chosen.GetAttribute("value"));
    }

    [Fact]
    public async Task Accept_Language_entries_are_tried_up_to_the_configured_number()
    {
        using (var defaults = ClientAsking("fr,de,es,it,zh-CN"))
        {
            Assert.Equal("zh-Hans", (await defaults.GetDocumentAsync("")).DocumentElement.GetAttribute("lang"));
        }

        await using var app = new ChatApplication(new Dictionary<string, string?> { ["Languages:AcceptLanguageValuesToTry"] = "2" });
        using var withinTwo = app.CreateChatClient();
        withinTwo.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fr,zh-CN");
        using var third = app.CreateChatClient();
        third.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fr,de,zh-CN");

        Assert.Equal("zh-Hans", (await withinTwo.GetDocumentAsync("")).DocumentElement.GetAttribute("lang"));
        Assert.Equal("en", (await third.GetDocumentAsync("")).DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task The_switcher_s_choice_wins_over_Accept_Language_and_brings_the_reader_back_to_the_page()
    {
        using var client = ClientAsking("zh-CN");
        var roomPage = await client.GetDocumentAsync($"rooms/{Room}");
        Assert.Equal("发送", roomPage.QuerySelector("#composer button[type=submit]")!.TextContent);

        using (var toEnglish = await ChooseAsync(client, roomPage, "en"))
        {
            Assert.Equal(HttpStatusCode.SeeOther, toEnglish.StatusCode);
            Assert.Equal($"/rooms/{Room}", toEnglish.Headers.Location?.OriginalString);
        }
        var english = await client.GetDocumentAsync($"rooms/{Room}");
        Assert.Equal("en", english.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Send", english.QuerySelector("#composer button[type=submit]")!.TextContent);

        using (var toChinese = await ChooseAsync(client, english, "zh-Hans"))
        {
            Assert.Equal(HttpStatusCode.SeeOther, toChinese.StatusCode);
        }
        var chinese = await client.GetDocumentAsync($"rooms/{Room}");
        Assert.Equal("zh-Hans", chinese.DocumentElement.GetAttribute("lang"));
        Assert.Equal("发送", chinese.QuerySelector("#composer button[type=submit]")!.TextContent);
    }

    [Fact]
    public async Task The_switcher_takes_a_language_in_any_case_and_stores_it_as_supported()
    {
        using var client = ClientAsking("en");

        using var chosen = await ChooseAsync(client, await client.GetDocumentAsync(""), "ZH-hans");

        Assert.Equal(HttpStatusCode.SeeOther, chosen.StatusCode);
        Assert.Equal("c=zh-Hans|uic=zh-Hans", Uri.UnescapeDataString(client.Cookies.GetCookies(client.Http.BaseAddress!)[".AspNetCore.Culture"]!.Value));
        Assert.Equal("zh-Hans", (await client.GetDocumentAsync("")).DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task The_switcher_refuses_an_unknown_language_and_never_sends_the_reader_off_the_site()
    {
        using var client = ClientAsking("zh-CN");
        var home = await client.GetDocumentAsync("");

        using var unknown = await ChooseAsync(client, home, "fr");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var problem = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync());
        Assert.Equal("语言必须是以下之一：en, zh-Hans。", problem.RootElement.GetProperty("errors").GetProperty("culture")[0].GetString());
        Assert.Equal("zh-Hans", (await client.GetDocumentAsync("")).DocumentElement.GetAttribute("lang"));

        using var offSite = await ChooseAsync(client, home, "en", returnUrl: "https://elsewhere.example/");
        Assert.Equal(HttpStatusCode.SeeOther, offSite.StatusCode);
        Assert.Equal("/", offSite.Headers.Location?.OriginalString);
        Assert.Equal("en", (await client.GetDocumentAsync("")).DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task The_switcher_on_an_error_page_brings_the_reader_back_to_the_address_that_failed()
    {
        using var client = ClientAsking("zh-CN");
        using var request = new HttpRequestMessage(HttpMethod.Get, "rooms/茶水间?来自=首页");
        request.Headers.Accept.ParseAdd("text/html");
        using var notFound = await client.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        var errorPage = await ChatClient.ParseHtmlAsync(await notFound.Content.ReadAsStringAsync());

        using var chosen = await ChooseAsync(client, errorPage, "en");

        Assert.Equal(HttpStatusCode.SeeOther, chosen.StatusCode);
        Assert.Equal(new Uri(client.Http.BaseAddress!, "rooms/茶水间?来自=首页").PathAndQuery, chosen.Headers.Location?.OriginalString);
        Assert.StartsWith("/rooms/%E8%8C%B6", chosen.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("~/rooms/general", "/rooms/general")]
    [InlineData("/rooms/茶水间", "/rooms/%E8%8C%B6%E6%B0%B4%E9%97%B4")]
    [InlineData("//elsewhere.example/rooms", "/")]
    [InlineData("/\\elsewhere.example", "/")]
    // Local before resolving, another site after ("/..//evil.com" resolves to "//evil.com"): only the address sent counts.
    [InlineData("/..//evil.com", "/")]
    [InlineData("/.//evil.com", "/")]
    [InlineData("/%2e//evil.com", "/")]
    [InlineData("/%2e%2e//evil.com", "/")]
    [InlineData("~/..//evil.com", "/")]
    [InlineData("/rooms/..//evil.com", "/")]
    [InlineData("/..\\/evil.com", "/")]
    [InlineData("/.\\evil.com", "/evil.com")] // a path of this site
    [InlineData("/rooms/..\\\\evil.com", "/")]
    [InlineData("/rooms/./general", "/rooms/general")]
    public async Task The_switcher_returns_only_to_this_site_with_an_address_a_header_can_carry(string returnUrl, string location)
    {
        using var client = ClientAsking("en");
        var home = await client.GetDocumentAsync("");

        using var chosen = await ChooseAsync(client, home, "zh-Hans", returnUrl);

        Assert.Equal(HttpStatusCode.SeeOther, chosen.StatusCode);
        Assert.Equal(location, chosen.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_page_whose_only_form_is_the_switcher_sets_no_antiforgery_cookie_and_stays_cacheable()
    {
        using var client = ClientAsking("zh-CN");

        using var home = await client.Http.GetAsync("");

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.False(home.Headers.Contains("Set-Cookie"), string.Join("; ", home.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []));
        Assert.DoesNotContain("no-store", home.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zh-CN", "提交的内容未通过验证。", "请输入消息内容。", "消息包含不允许的控制字符（U+0007）。")]
    [InlineData("en", "One or more validation errors occurred.", "Write a message.",
        "The message contains a control character (U+0007), which is not allowed.")]
    public async Task Validation_errors_arrive_in_the_requested_language(
        string acceptLanguage, string title, string textMissing, string controlCharacter)
    {
        using var client = ClientAsking(acceptLanguage);

        using var empty = await client.PostMessageAsync(Room, "Ann", "   ");
        using var bell = await client.PostMessageAsync(Room, "Ann", "hi\u0007");

        Assert.Equal((title, textMissing), await TitleAndErrorAsync(empty, "text"));
        Assert.Equal((title, controlCharacter), await TitleAndErrorAsync(bell, "text"));
        Assert.Empty(await client.GetWholeHistoryAsync(Room));
    }

    [Fact]
    public async Task Model_binding_errors_and_status_titles_are_Chinese_when_asked_for()
    {
        using var client = ClientAsking("zh-CN");
        client.Http.DefaultRequestHeaders.Accept.ParseAdd("application/json");

        using var notANumber = await client.Http.GetAsync($"rooms/{Room}/messages?limit=many");
        using var missing = await client.Http.GetAsync("rooms/no-such-room/messages");

        var (title, error) = await TitleAndErrorAsync(notANumber, "limit");
        Assert.Equal("提交的内容未通过验证。", title);
        Assert.Equal("值“many”对参数 limit 无效。", error);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var notFound = await missing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("未找到", notFound.GetProperty("title").GetString());
        Assert.Equal("没有这个房间或资源。", notFound.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task What_users_wrote_is_shown_exactly_as_written_in_either_language()
    {
        const string text = "Hello 你好 — see you at 5 <b>sharp</b> & \"on time\"";
        using var chinese = ClientAsking("zh-CN");
        using var english = ClientAsking("en");
        var sent = await chinese.SendAsync(Room, "Zoë 张", text);

        foreach (var client in new[] { chinese, english })
        {
            var page = await client.GetDocumentAsync($"rooms/{Room}");
            var shown = page.QuerySelector($"#messages li[data-seq='{sent.Seq}']")!;
            Assert.Equal(text, shown.QuerySelector(".message-text")!.TextContent);
            Assert.Equal("Zoë 张", shown.QuerySelector(".message-author")!.TextContent);
            Assert.Equal(text, Assert.Single(await client.GetWholeHistoryAsync(Room)).Text);
        }
    }

    private ChatClient ClientAsking(string acceptLanguage)
    {
        var client = App.CreateChatClient();
        client.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        return client;
    }

    /// <summary>Submits the navbar's language form of a rendered page, as pressing one of its buttons does.</summary>
    private static async Task<HttpResponseMessage> ChooseAsync(
        ChatClient client, IHtmlDocument page, string culture, string? returnUrl = null)
    {
        var form = page.QuerySelector<IHtmlFormElement>("#language-switcher")!;
        var back = returnUrl ?? form.QuerySelector<IHtmlInputElement>("input[name=returnUrl]")!.Value;
        using var content = new FormUrlEncodedContent([new("culture", culture), new("returnUrl", back)]);
        return await client.Http.PostAsync(form.Action, content);
    }

    private static async Task<(string? Title, string Error)> TitleAndErrorAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").GetProperty(field);
        return (problem.GetProperty("title").GetString(), string.Join(" ", errors.EnumerateArray().Select(e => e.GetString())));
    }
}
