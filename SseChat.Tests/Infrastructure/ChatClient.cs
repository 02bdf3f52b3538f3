using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using SseChat.Web.Chat;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// Talks to the app the way a browser does: loads the room page, keeps the antiforgery cookie, and posts the
/// compose form as rendered (hidden token included).
/// </summary>
public sealed class ChatClient : IDisposable
{
    private readonly HttpClient http;
    private readonly ConcurrentDictionary<string, string> tokens = new();

    /// <param name="configureHandler">Changes to the connection handler, e.g. a proxy's certificate to trust.</param>
    public ChatClient(Uri baseAddress, Action<SocketsHttpHandler>? configureHandler = null)
    {
        var handler = new SocketsHttpHandler { CookieContainer = Cookies, AllowAutoRedirect = false };
        configureHandler?.Invoke(handler);
        http = new HttpClient(handler)
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public HttpClient Http => http;

    /// <summary>This client's cookie jar, as a browser's.</summary>
    public CookieContainer Cookies { get; } = new();

    public async Task<IHtmlDocument> GetDocumentAsync(string path)
    {
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ParseHtmlAsync(await response.Content.ReadAsStringAsync());
    }

    public static async Task<IHtmlDocument> ParseHtmlAsync(string html)
    {
        var context = BrowsingContext.New(Configuration.Default);
        return (IHtmlDocument)await context.OpenAsync(request => request.Content(html));
    }

    /// <summary>The room's compose form as rendered: action plus every field, the antiforgery token among them.</summary>
    public async Task<(string Action, Dictionary<string, string> Fields)> GetComposeFormAsync(string slug)
    {
        var page = await GetDocumentAsync($"rooms/{slug}");
        var form = page.QuerySelector<IHtmlFormElement>("form#composer")
            ?? throw new InvalidOperationException("The room page has no compose form.");
        var fields = form.Elements.OfType<IHtmlInputElement>()
            .Where(input => !string.IsNullOrEmpty(input.Name))
            .ToDictionary(input => input.Name!, input => input.Value);
        // Posts reuse this page's token, as a browser reuses its page's: posting at once from many tasks then never
        // races to load the page (and to reset the antiforgery cookie) first.
        tokens[slug] = fields["__RequestVerificationToken"];
        return (form.Action, fields);
    }

    public async Task<HttpResponseMessage> PostMessageAsync(
        string slug, string author, string text, string? clientMessageId = null, bool acceptJson = true)
    {
        var body = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", await GetTokenAsync(slug)),
            new("author", author),
            new("text", text),
        };
        if (clientMessageId is not null)
        {
            body.Add(new("clientMessageId", clientMessageId));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, $"rooms/{slug}/messages")
        {
            Content = new FormUrlEncodedContent(body),
        };
        if (acceptJson)
        {
            request.Headers.Accept.ParseAdd("application/json");
        }
        return await http.SendAsync(request);
    }

    /// <summary>Posts a typing notice as the room page does: author plus the page's antiforgery token.</summary>
    /// <param name="tokenFrom">The room whose page supplies the token, when <paramref name="slug"/> has no page.</param>
    public async Task<HttpResponseMessage> PostTypingAsync(string slug, string author, string? tokenFrom = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"rooms/{slug}/typing")
        {
            Content = new FormUrlEncodedContent(
            [
                new("__RequestVerificationToken", await GetTokenAsync(tokenFrom ?? slug)),
                new("author", author),
            ]),
        };
        request.Headers.Accept.ParseAdd("application/json");
        return await http.SendAsync(request);
    }

    private async Task<string> GetTokenAsync(string slug)
    {
        if (!tokens.TryGetValue(slug, out var token))
        {
            var (_, fields) = await GetComposeFormAsync(slug);
            token = fields["__RequestVerificationToken"];
        }
        return token;
    }

    /// <summary>Posts and insists on 201 Created, returning the stored message.</summary>
    public async Task<ChatMessage> SendAsync(string slug, string author, string text, string? clientMessageId = null)
    {
        using var response = await PostMessageAsync(slug, author, text, clientMessageId);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ChatMessage>())!;
    }

    /// <summary>A room's whole history through the JSON API, oldest first, paging back from the newest.</summary>
    public async Task<List<ChatMessage>> GetWholeHistoryAsync(string slug, int pageLimit = 200)
    {
        var pagesNewestFirst = new List<List<ChatMessage>>();
        var path = $"rooms/{slug}/messages?limit={pageLimit}";
        for (var i = 0; i < 1_000; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<List<ChatMessage>>();
            Assert.NotNull(page);
            if (page.Count > 0)
            {
                pagesNewestFirst.Add(page);
            }
            if (page.Count < pageLimit)
            {
                return [.. Enumerable.Reverse(pagesNewestFirst).SelectMany(p => p)];
            }
            path = $"rooms/{slug}/messages?limit={pageLimit}&before={page[0].Seq}";
        }
        throw new InvalidOperationException("The history did not end within 1000 pages.");
    }

    public void Dispose() => http.Dispose();
}
