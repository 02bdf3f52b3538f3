using System.Net;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Security;

/// <summary>
/// The Kestrel:Limits that docs/configuration.md documents are the limits the real server applies: by default, and
/// as an operator sets them (through configuration, as an environment variable would).
/// </summary>
public sealed class RequestLimitsTests : ChatAppTests
{
    private const string Room = "general";

    /// <summary>
    /// A request just over each limit when it is lowered to the given value, yet well within Kestrel's own default
    /// (and so within the documented default too, for the lowered ones): refused only if the setting is applied.
    /// </summary>
    private static readonly Dictionary<string, (string Value, int Refused, Func<ChatApplication, Task<int>> Send)> Limits = new()
    {
        ["MaxRequestBodySize"] = ("131072", 413, app => PostPaddedAsync(app, paddingBytes: 200 * 1024)),
        ["MaxRequestLineSize"] = ("2048", 414, app => RawHttpRequest.SendAsync(app.BaseAddress, "GET", "/rooms/" + new string('a', 3 * 1024))),
        ["MaxRequestHeadersTotalSize"] = ("16384", 431, app => RawHttpRequest.SendAsync(
            app.BaseAddress, "GET", "/rooms/nowhere", "X-Padding: " + new string('p', 20 * 1024))),
    };

    public static TheoryData<string> Names => [.. Limits.Keys];

    [Fact]
    public async Task A_post_over_the_documented_256_kB_body_limit_gets_413_and_is_not_stored()
    {
        using var client = App.CreateChatClient();

        Assert.Equal(413, await PostPaddedAsync(App, paddingBytes: 300 * 1024, client));
        Assert.Equal(413, await PostPaddedAsync(App, paddingBytes: 300 * 1024, client, multipart: true));

        Assert.Empty(await client.GetWholeHistoryAsync(Room));
        Assert.Equal(201, await PostPaddedAsync(App, paddingBytes: 200 * 1024, client)); // the same post, within the limit
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Each_Kestrel_limit_follows_its_setting(string name)
    {
        var (value, refused, send) = Limits[name];
        await using var lowered = new ChatApplication(new Dictionary<string, string?> { [$"Kestrel:Limits:{name}"] = value });

        Assert.Equal(refused, await send(lowered));
        Assert.NotEqual(refused, await send(App)); // the same request, at the documented default
    }

    /// <summary>
    /// A valid post (token, author, text) with a field of <paramref name="paddingBytes"/> that the action ignores: it
    /// is stored unless its size alone is refused.
    /// </summary>
    private static async Task<int> PostPaddedAsync(ChatApplication app, int paddingBytes, ChatClient? client = null, bool multipart = false)
    {
        using var ownClient = client is null ? app.CreateChatClient() : null;
        var poster = client ?? ownClient!;
        var (_, fields) = await poster.GetComposeFormAsync(Room);
        var body = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = fields["__RequestVerificationToken"],
            ["author"] = "ann",
            ["text"] = "hello",
            ["padding"] = new string('x', paddingBytes),
        };
        HttpContent content = multipart
            ? body.Aggregate(new MultipartFormDataContent(), (form, field) =>
            {
                form.Add(new StringContent(field.Value), field.Key);
                return form;
            })
            : new FormUrlEncodedContent(body);
        using (content)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"rooms/{Room}/messages") { Content = content };
            request.Headers.Accept.ParseAdd("application/json");
            // Kestrel refuses a body over the limit from its Content-Length and closes the connection: waiting for
            // 100-continue lets the refusal arrive before the upload, which the close would otherwise cut short.
            request.Headers.ExpectContinue = true;
            using var response = await poster.Http.SendAsync(request);
            return (int)response.StatusCode;
        }
    }
}
