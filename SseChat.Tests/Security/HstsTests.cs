using System.Net;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Security;

/// <summary>
/// HSTS outside Development, over HTTPS only: here the app runs in Production behind a TLS-terminating proxy (the
/// test speaks as the proxy on 127.0.0.1, a known proxy, and says X-Forwarded-Proto: https).
/// </summary>
public sealed class HstsTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ssechat-hsts-");
    private readonly ChatDatabase database;

    public HstsTests() => database = ChatDatabase.CreateForRun(folder, "hsts");

    [Fact]
    public async Task Https_responses_outside_Development_carry_HSTS_and_plain_http_ones_do_not()
    {
        using var server = await ChatServerProcess.StartAsync(
            database,
            new Dictionary<string, string> { ["AllowedHosts"] = "chat.example.org" }); // a deployment names its host
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var overTls = new HttpRequestMessage(HttpMethod.Get, "");
        overTls.Headers.Host = "chat.example.org"; // HSTS is never sent for localhost or 127.0.0.1
        overTls.Headers.Add("X-Forwarded-Proto", "https");
        using var secure = await http.SendAsync(overTls);
        using var plain = new HttpRequestMessage(HttpMethod.Get, "");
        plain.Headers.Host = "chat.example.org";
        using var insecure = await http.SendAsync(plain);

        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Equal("max-age=31536000", Assert.Single(secure.Headers.GetValues("Strict-Transport-Security")));
        Assert.Equal(HttpStatusCode.OK, insecure.StatusCode);
        Assert.False(insecure.Headers.Contains("Strict-Transport-Security"));
    }

    public void Dispose()
    {
        database.DropIfPostgres();
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
