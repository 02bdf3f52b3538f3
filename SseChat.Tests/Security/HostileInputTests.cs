using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Security;

/// <summary>
/// Every hostile request gets a clear 4xx (never a 5xx, never a hang), the server stays up, nothing stored before
/// is lost and the next ordinary post is stored right after. docs/reliability.md lists the same table.
/// </summary>
public sealed class HostileInputTests : ChatAppTests
{
    private const string Room = "general";

    /// <summary>What each hostile request is, the statuses it may get, and how it is sent.</summary>
    private static readonly Dictionary<string, (int[] Expected, Func<Hostile, Task<int>> Send)> Requests = new()
    {
        ["after=letters"] = ([400], h => h.GetStatusAsync("stream/general?after=abc")),
        ["after=negative"] = ([400], h => h.GetStatusAsync("stream/general?after=-1")),
        ["after=30 digits"] = ([400], h => h.GetStatusAsync("stream/general?after=123456789012345678901234567890")),
        ["Last-Event-ID letters"] = ([400], h => h.GetStatusAsync("stream/general", ("Last-Event-ID", "abc"))),
        ["Last-Event-ID negative"] = ([400], h => h.GetStatusAsync("stream/general", ("Last-Event-ID", "-5"))),
        ["Last-Event-ID 30 digits"] = ([400], h => h.GetStatusAsync("stream/general", ("Last-Event-ID", new string('9', 30)))),
        ["Last-Event-ID of 32 kB"] = ([431], h => h.GetStatusAsync("stream/general", ("Last-Event-ID", new string('1', 32 * 1024)))),
        ["history before=letters"] = ([400], h => h.GetStatusAsync("rooms/general/messages?before=abc")),
        ["history limit=0"] = ([400], h => h.GetStatusAsync("rooms/general/messages?limit=0")),
        ["history limit=10^9"] = ([400], h => h.GetStatusAsync("rooms/general/messages?limit=1000000000")),
        ["slug with .. segments"] = ([404], h => h.RawAsync("GET", "/rooms/../../etc/passwd")),
        ["slug with %2F and .."] = ([404], h => h.RawAsync("GET", "/rooms/..%2F..%2Fetc%2Fpasswd")),
        ["stream slug with %2E%2E segments"] = ([404], h => h.RawAsync("GET", "/stream/%2E%2E/%2E%2E/etc/passwd")),
        ["post to a slug with %2F"] = ([404], h => h.PostFormToAsync("rooms/general%2Fx/messages")),
        ["slug in percent-encoded unicode"] = ([404], h => h.RawAsync("GET", "/rooms/caf%C3%A9")),
        ["slug in raw UTF-8 bytes"] = ([400], h => h.RawAsync("GET", "/rooms/café")),
        ["slug of 10 kB"] = ([414], h => h.RawAsync("GET", "/rooms/" + new string('a', 10 * 1024))),
        ["slug of 1 kB (short of the request-line limit)"] = ([404], h => h.RawAsync("GET", "/rooms/" + new string('a', 1024))),
        // Expect: 100-continue, so the refusal arrives before the body is sent: Kestrel answers 413 from the Content-Length
        // and closes the connection, which would otherwise cut the upload short before the client read the answer.
        ["10 MB post body"] = ([413], h => h.PostBodyAsync(new string('x', 10 * 1024 * 1024), "application/x-www-form-urlencoded", expectContinue: true)),
        ["JSON body"] = ([400, 415], h => h.PostBodyAsync("""{"author":"eve","text":"json"}""", "application/json")),
        ["text/plain body"] = ([400, 415], h => h.PostBodyAsync("author=eve&text=plain", "text/plain")),
        ["multipart without a boundary"] = ([400, 415], h => h.PostBodyAsync("author=eve", "multipart/form-data")),
        ["5,000 form fields"] = ([400], h => h.PostBodyAsync(
            string.Join('&', Enumerable.Range(0, 5000).Select(i => $"f{i}=x")), "application/x-www-form-urlencoded")),
        ["invalid UTF-8 bytes in text"] = ([400], h => h.PostRawFormAsync("author=eve&text=", [0xC3, 0x28, 0xFF])),
        ["invalid UTF-8 bytes in author"] = ([400], h => h.PostRawFormAsync("text=hi&author=eve", [0xFE, 0xFF])),
        ["percent-encoded invalid UTF-8 in text"] = ([400], h => h.PostRawFormAsync("author=eve&text=%ff%fe", [])),
        ["percent-encoded invalid UTF-8 in author"] = ([400], h => h.PostRawFormAsync("text=hi&author=eve%C3%28", [])),
        ["percent-encoded lone surrogate in text"] = ([400], h => h.PostRawFormAsync("author=eve&text=%ED%A0%80", [])),
        ["format character in author (zero-width space)"] = ([400], h => h.PostFormAsync("admin​", "hi")),
        ["bidi override in author"] = ([400], h => h.PostFormAsync("‮evil", "hi")),
        ["NUL in author (multipart)"] = ([400], h => h.PostMultipartAsync("e\0ve", "hi")),
        ["NUL in text (urlencoded)"] = ([400], h => h.PostFormAsync("eve", "nul \0 here")),
        ["escape sequence in text"] = ([400], h => h.PostFormAsync("eve", "\u001b[2J cleared your terminal")),
        ["line break in author"] = ([400], h => h.PostFormAsync("eve\r\nX-Injected: 1", "hi")),
        ["unpaired surrogate in text (multipart)"] = ([400], h => h.PostMultipartAsync("eve", "half \uD800 a pair")),
        ["missing antiforgery token"] = ([400], h => h.PostFormAsync("eve", "no token", token: "")),
        ["forged antiforgery token"] = ([400], h => h.PostFormAsync("eve", "forged", token: "CfDJ8" + new string('A', 150))),
        ["another visitor's antiforgery token"] = ([400], h => h.PostWithStrangersTokenAsync()),
        ["PUT on the messages route"] = ([405], h => h.RawAsync("PUT", "/rooms/general/messages", "Content-Length: 0")),
    };

    public static TheoryData<string> Names => [.. Requests.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Hostile_request_gets_a_clear_4xx_and_the_server_loses_nothing(string name)
    {
        using var client = App.CreateChatClient();
        var before = await client.SendAsync(Room, "ann", "stored before the attack");
        var (expected, send) = Requests[name];

        var status = await send(new Hostile(App, client));

        Assert.Contains(status, expected);
        var history = await client.GetWholeHistoryAsync(Room);
        Assert.Equal([before], history);
        var after = await client.SendAsync(Room, "ann", "stored after the attack");
        Assert.Equal(before.Seq + 1, after.Seq);
    }

    [Theory]
    [InlineData("author=eve&text=broken ", new byte[] { 0xC3, 0x28 })]
    [InlineData("author=eve&text=broken+%ff%fe", new byte[0])]
    [InlineData("author=eve&text=broken+%C3%28", new byte[0])]
    public async Task Text_that_is_not_UTF8_is_refused_with_ProblemDetails_naming_the_field(string fields, byte[] rawTail)
    {
        using var client = App.CreateChatClient();

        using var content = new ByteArrayContent([.. System.Text.Encoding.ASCII.GetBytes(fields), .. rawTail]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var response = await new Hostile(App, client).SendFormAsync(content, withToken: true);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["text"], problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task Percent_signs_that_were_typed_are_stored_as_typed()
    {
        using var client = App.CreateChatClient();

        var message = await client.SendAsync(Room, "eve", "100%ff%fe and %C3%28 as text");

        Assert.Equal("100%ff%fe and %C3%28 as text", message.Text);
    }

    /// <summary>Sends hostile requests as a visitor who loaded the room page (cookie and token in hand).</summary>
    private sealed class Hostile(ChatApplication app, ChatClient client)
    {
        public async Task<int> GetStatusAsync(string path, params (string Name, string Value)[] headers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("application/json");
            foreach (var (headerName, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(headerName, value);
            }
            // Headers only: a stream that wrongly opened would never end.
            using var response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            return (int)response.StatusCode;
        }

        public Task<int> RawAsync(string method, string target, params string[] headers) =>
            RawHttpRequest.SendAsync(app.BaseAddress, method, target, headers);

        public async Task<int> PostFormAsync(string author, string text, string? token = null)
        {
            var fields = new Dictionary<string, string> { ["author"] = author, ["text"] = text };
            using var content = new FormUrlEncodedContent(fields);
            using var response = await SendFormAsync(content, withToken: token is null, forcedToken: token);
            return (int)response.StatusCode;
        }

        public async Task<int> PostFormToAsync(string path)
        {
            var (_, fields) = await client.GetComposeFormAsync(Room);
            fields["author"] = "eve";
            fields["text"] = "elsewhere";
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await client.Http.SendAsync(request);
            return (int)response.StatusCode;
        }

        public async Task<int> PostBodyAsync(string body, string mediaType, bool expectContinue = false)
        {
            using var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
            using var response = await SendFormAsync(content, withToken: false, expectContinue: expectContinue);
            return (int)response.StatusCode;
        }

        /// <summary>A urlencoded form with a valid token, then <paramref name="fields"/> and the raw bytes after them.</summary>
        public async Task<int> PostRawFormAsync(string fields, byte[] rawTail)
        {
            using var content = new ByteArrayContent([.. Encoding.ASCII.GetBytes(fields), .. rawTail]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
            using var response = await SendFormAsync(content, withToken: true);
            return (int)response.StatusCode;
        }

        public async Task<int> PostMultipartAsync(string author, string text)
        {
            var token = await TokenAsync();
            using var form = new MultipartFormDataContent
            {
                { new StringContent(token), "__RequestVerificationToken" },
                { new StringContent(author), "author" },
                { new StringContent(text), "text" },
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, $"rooms/{Room}/messages") { Content = form };
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await client.Http.SendAsync(request);
            return (int)response.StatusCode;
        }

        public async Task<int> PostWithStrangersTokenAsync()
        {
            using var stranger = app.CreateChatClient();
            var (_, strangersFields) = await stranger.GetComposeFormAsync(Room);
            return await PostFormAsync("eve", "with someone else's token", strangersFields["__RequestVerificationToken"]);
        }

        /// <summary>
        /// Posts <paramref name="content"/> to the room with this visitor's cookie; the token, when wanted, goes in
        /// the RequestVerificationToken header (antiforgery reads it there too), so the body stays exactly as given.
        /// </summary>
        public async Task<HttpResponseMessage> SendFormAsync(
            HttpContent content, bool withToken, string? forcedToken = null, bool expectContinue = false)
        {
            var token = forcedToken ?? (withToken ? await TokenAsync() : null);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"rooms/{Room}/messages") { Content = content };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.ExpectContinue = expectContinue;
            if (!string.IsNullOrEmpty(token))
            {
                request.Headers.Add("RequestVerificationToken", token);
            }
            return await client.Http.SendAsync(request);
        }

        private async Task<string> TokenAsync()
        {
            var (_, fields) = await client.GetComposeFormAsync(Room);
            return fields["__RequestVerificationToken"];
        }
    }
}
