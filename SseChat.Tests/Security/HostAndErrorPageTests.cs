using System.Net;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Security;

/// <summary>
/// What a client can choose and must not steer: the Host header (never reflected into a redirect, and only the
/// configured names answered), the error page's status (only re-executed errors), and cookies sent over TLS (Secure).
/// </summary>
public sealed class HostAndErrorPageTests : ChatAppTests
{
    [Theory]
    [InlineData("errors/0")]
    [InlineData("errors/-1")]
    [InlineData("errors/204")]
    [InlineData("errors/304")]
    [InlineData("errors/404")]
    [InlineData("errors/500")]
    [InlineData("errors/999")]
    public async Task The_error_page_asked_for_directly_is_not_found(string path)
    {
        using var client = App.CreateChatClient();
        using var page = new HttpRequestMessage(HttpMethod.Get, path);
        page.Headers.Accept.ParseAdd("text/html");
        using var problem = new HttpRequestMessage(HttpMethod.Get, path);
        problem.Headers.Accept.ParseAdd("application/json");

        using var forPage = await client.Http.SendAsync(page);
        using var forScript = await client.Http.SendAsync(problem);

        Assert.Equal(HttpStatusCode.NotFound, forPage.StatusCode);
        Assert.Contains("404", await forPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, forScript.StatusCode);
        Assert.Equal("application/problem+json", forScript.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_host_that_is_not_configured_is_refused_by_default()
    {
        using var client = App.CreateChatClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin");
        request.Headers.Host = "evil.example";

        using var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task Localhost_is_answered_by_default(string host)
    {
        using var client = App.CreateChatClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "");
        request.Headers.Host = $"{host}:{App.BaseAddress.Port}";

        using var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_sign_in_redirect_never_names_the_host_the_client_sent()
    {
        await using var anyHost = new ChatApplication(new Dictionary<string, string?> { ["AllowedHosts"] = "*" });
        using var client = anyHost.CreateChatClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/audit");
        request.Headers.Host = "evil.example";

        using var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin/login?ReturnUrl=%2Fadmin%2Faudit", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_antiforgery_cookie_is_Secure_over_TLS_and_only_then()
    {
        // 127.0.0.1 is a known proxy by default, so it may say that the client spoke TLS to it.
        using var overTls = App.CreateChatClient();
        overTls.Http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        using var plain = App.CreateChatClient();

        using var secure = await overTls.Http.GetAsync("rooms/general");
        using var insecure = await plain.Http.GetAsync("rooms/general");

        Assert.Contains("secure", CookieAttributes(secure, ".AspNetCore.Antiforgery."));
        Assert.DoesNotContain("secure", CookieAttributes(insecure, ".AspNetCore.Antiforgery."));
    }

    private static List<string> CookieAttributes(HttpResponseMessage response, string namePrefix)
    {
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(namePrefix, StringComparison.Ordinal));
        return cookie.Split(';').Skip(1).Select(part => part.Trim().ToLowerInvariant()).ToList();
    }
}
