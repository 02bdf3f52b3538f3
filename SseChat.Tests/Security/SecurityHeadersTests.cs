using System.Net;
using AngleSharp.Dom;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Security;

namespace SseChat.Tests.Security;

/// <summary>
/// Every response carries the security headers, the Content-Security-Policy allows no inline script or style, and
/// the pages need none (the browser proof is <c>Browser/SecurityInBrowserTests</c>).
/// </summary>
public sealed class SecurityHeadersTests : ChatAppTests
{
    [Theory]
    [InlineData("")]
    [InlineData("rooms/general")]
    [InlineData("rooms/general/messages")]
    [InlineData("rooms/nowhere")]
    [InlineData("admin/login")]
    [InlineData("stream/general")]
    [InlineData("stream/general?after=x")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        var expected = App.Services.GetRequiredService<IOptions<SecurityHeadersOptions>>().Value;
        using var http = new HttpClient { BaseAddress = App.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(expected.ContentSecurityPolicy, csp);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        // Plain HTTP to 127.0.0.1 (and Development): HSTS would be wrong here.
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Pages_hold_no_inline_script_style_or_event_handler()
    {
        using var admin = await AdminSession.SignInAsync(App);
        await admin.Client.SendAsync("general", "ann", "hello");
        string[] pages = ["", "rooms/general", "admin", "admin/rooms/new", "admin/rooms/general/edit",
            "admin/rooms/general/delete", "admin/rooms/general/messages", "admin/audit", "admin/password"];
        using var visitor = App.CreateChatClient();
        var rendered = new List<(string Path, AngleSharp.Html.Dom.IHtmlDocument Page)> { ("admin/login", await visitor.GetDocumentAsync("admin/login")) };
        foreach (var path in pages)
        {
            rendered.Add((path, await admin.Client.GetDocumentAsync(path)));
        }

        foreach (var (path, page) in rendered)
        {
            // A JSON data block (the scripts' texts, #ui-text) is never executed, so the policy has nothing to allow.
            Assert.Empty(page.QuerySelectorAll("script:not([src]):not([type='application/json'])").Select(s => $"{path}: {s.OuterHtml}"));
            Assert.Empty(page.QuerySelectorAll("style, [style]").Select(s => $"{path}: {s.OuterHtml}"));
            Assert.Empty(page.All.Where(e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal)))
                .Select(e => $"{path}: {e.OuterHtml}"));
        }
    }
}
