using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Admin;
using SseChat.Web.Data;

namespace SseChat.Tests.Deploy;

/// <summary>
/// ReverseProxy:KnownProxies decides whose X-Forwarded-For and X-Forwarded-Proto the app believes: the sign-in audit
/// entry shows the address the app settled on, the admin cookie's Secure flag the scheme, and the sign-in rate limit
/// counts per forwarded address. Clients connect from 127.0.0.1 (a known proxy by default) or 127.0.0.2 (not one).
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const string Password = "correct horse battery staple";
    private const string ClaimedClient = "203.0.113.7";

    private static readonly IPAddress DefaultProxy = IPAddress.Loopback;

    [Fact]
    public async Task A_known_proxy_forwards_the_nearest_client_address_and_HTTPS()
    {
        await using var app = new ChatApplication();

        var (detail, secure) = await SignInAsync(app, from: DefaultProxy, forwardedFor: $"198.51.100.1, {ClaimedClient}");

        // ForwardLimit 1: the address the proxy itself appended, not whatever the client put in front of it.
        Assert.Equal(ClaimedClient, detail);
        Assert.True(secure, "The admin cookie is not Secure although the proxy said the client came over HTTPS.");
    }

    [Fact]
    public async Task Forwarded_headers_from_anyone_else_are_ignored()
    {
        await using var app = new ChatApplication();

        var (detail, secure) = await SignInAsync(app, from: LoopbackSource.OtherClient, forwardedFor: ClaimedClient);

        Assert.Equal(LoopbackSource.OtherClient.ToString(), detail);
        Assert.False(secure, "A client that is no proxy made the admin cookie Secure over plain HTTP.");
    }

    [Fact]
    public async Task KnownProxies_replaces_the_trusted_addresses()
    {
        await using var app = new ChatApplication(new Dictionary<string, string?>
        {
            ["ReverseProxy:KnownProxies:0"] = LoopbackSource.OtherClient.ToString(), // instead of 127.0.0.1
        });

        Assert.Equal(ClaimedClient, (await SignInAsync(app, from: LoopbackSource.OtherClient, forwardedFor: ClaimedClient)).Detail);
        Assert.Equal(DefaultProxy.ToString(), (await SignInAsync(app, from: DefaultProxy, forwardedFor: "198.51.100.1")).Detail);
    }

    [Fact]
    public async Task The_sign_in_rate_limit_counts_each_forwarded_client_on_its_own()
    {
        await using var app = new ChatApplication(new Dictionary<string, string?> { ["Admin:LoginPermitLimit"] = "2" });

        Assert.Equal(
            [HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests],
            await FailedSignInsAsync(app, forwardedFor: ClaimedClient, attempts: 3));
        // Another client behind the same proxy still has its own allowance.
        Assert.Equal([HttpStatusCode.Unauthorized], await FailedSignInsAsync(app, forwardedFor: "198.51.100.1", attempts: 1));
    }

    [Theory]
    [InlineData("ReverseProxy:KnownProxies:0", "nginx.internal", "ReverseProxy:KnownProxies")]
    [InlineData("ReverseProxy:KnownProxies:2", "10.0.0.300", "ReverseProxy:KnownProxies")]
    [InlineData("ReverseProxy:ForwardLimit", "0", "ForwardLimit")]
    public async Task Invalid_proxy_settings_stop_the_app_at_start_naming_the_setting(string key, string value, string named)
    {
        await using var app = new ChatApplication(new Dictionary<string, string?> { [key] = value });

        var failure = Assert.Throws<OptionsValidationException>(() => app.BaseAddress);

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
        if (named.EndsWith("KnownProxies", StringComparison.Ordinal))
        {
            Assert.Contains($"'{value}'", failure.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Signs in from <paramref name="from"/>, sending the headers a TLS-terminating proxy would.</summary>
    private static async Task<(string Detail, bool Secure)> SignInAsync(ChatApplication app, IPAddress from, string forwardedFor)
    {
        await AdminSession.CreateAdministratorAsync(app, "root", Password);
        using var client = new ChatClient(app.BaseAddress, handler => handler.ConnectCallback = LoopbackSource.ConnectFrom(from));
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        var form = (await client.GetDocumentAsync("admin/login")).QuerySelector<AngleSharp.Html.Dom.IHtmlFormElement>("form#login-form")!;
        // The antiforgery cookie came back Secure, as over TLS it should; a browser would send it to nginx over TLS,
        // this test speaks to the app over plain HTTP, as nginx does, so it sends the cookie on regardless.
        foreach (var secure in client.Cookies.GetAllCookies().Where(c => c.Secure).ToList())
        {
            client.Cookies.Add(new Cookie(secure.Name, secure.Value, secure.Path, secure.Domain));
        }
        var fields = form.Elements.OfType<AngleSharp.Html.Dom.IHtmlInputElement>()
            .Where(input => !string.IsNullOrEmpty(input.Name) && input.Type is not ("submit" or "button"))
            .ToDictionary(input => input.Name!, input => input.Value);
        (fields["UserName"], fields["Password"]) = ("root", Password);
        using var response = await client.Http.PostAsync("admin/login", new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = Assert.Single(
            response.Headers.GetValues("Set-Cookie"),
            c => c.StartsWith(AdminClaims.CookieName + "=", StringComparison.Ordinal));
        await using var db = app.CreateDbContext();
        var entry = await db.AuditEntries.OrderByDescending(e => e.Id).FirstAsync(e => e.Action == AuditAction.SignedIn);
        return (entry.Detail, cookie.Split(';').Any(part => part.Trim().Equals("secure", StringComparison.OrdinalIgnoreCase)));
    }

    private static async Task<List<HttpStatusCode>> FailedSignInsAsync(ChatApplication app, string forwardedFor, int attempts)
    {
        using var client = app.CreateChatClient(); // from 127.0.0.1, the default known proxy
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < attempts; i++)
        {
            using var response = await AdminSession.SubmitLoginAsync(client, "root", "not the password");
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }
}
