using System.Net;
using System.Security.Claims;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Admin;
using SseChat.Web.Data;

namespace SseChat.Tests.Admin;

/// <summary>The admin area lets nobody in without signing in, and signing in is done properly.</summary>
public sealed class AdminAccessTests : ChatAppTests
{
    /// <summary>Every admin endpoint the app maps, found at run time, so a new action cannot slip in unprotected.</summary>
    private List<(string Method, string Path)> AdminEndpoints()
    {
        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("admin", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<ControllerActionDescriptor>()?.ActionName != "Login")
            .ToList();
        Assert.True(endpoints.Count >= 14, $"expected the whole admin area, found {endpoints.Count} endpoints");
        return endpoints.SelectMany(e =>
        {
            var path = e.RoutePattern.RawText!
                .Replace("{slug:slug}", "general", StringComparison.Ordinal)
                .Replace("{seq:long}", "1", StringComparison.Ordinal);
            Assert.DoesNotContain("{", path, StringComparison.Ordinal);
            var methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"];
            return methods.Select(method => (method, "/" + path));
        }).ToList();
    }

    public static TheoryData<string> Cookies => new() { "none", "forged", "expired", "old-password" };

    [Theory]
    [MemberData(nameof(Cookies))]
    public async Task Every_admin_endpoint_refuses_a_visitor_who_is_not_signed_in(string cookie)
    {
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "a", "t");
        var token = await AntiforgeryTokenAsync(client); // a valid anonymous token: only authorization may refuse
        var cookieValue = await CookieValueAsync(cookie);

        foreach (var (method, path) in AdminEndpoints())
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method == "POST")
            {
                request.Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token,
                    ["Name"] = "Hijacked",
                    ["Topic"] = "x",
                    ["ConfirmSlug"] = "general",
                    ["CurrentPassword"] = "x",
                    ["NewPassword"] = "xxxxxxxxxxxxxxxx",
                    ["ConfirmPassword"] = "xxxxxxxxxxxxxxxx",
                });
            }
            if (cookieValue is not null)
            {
                request.Headers.Add("Cookie", $"{AdminClaims.CookieName}={cookieValue}");
            }

            using var response = await client.Http.SendAsync(request);

            // Authorization runs before anything else (antiforgery included): the answer is always the sign-in page.
            Assert.True(response.StatusCode == HttpStatusCode.Redirect,
                $"{method} {path} with cookie '{cookie}' answered {(int)response.StatusCode}");
            Assert.StartsWith("/admin/login", PathOf(response), StringComparison.Ordinal);
        }

        // And nothing changed.
        await using var check = App.CreateDbContext();
        var general = await check.Rooms.SingleAsync();
        Assert.Equal(("General", false, 1L), (general.Name, general.IsArchived, general.LastSeq));
        Assert.Equal("t", (await check.RoomEvents.SingleAsync()).Text);
    }

    private static async Task<string> AntiforgeryTokenAsync(ChatClient client)
    {
        var (_, fields) = await client.GetComposeFormAsync("general");
        return fields["__RequestVerificationToken"];
    }

    /// <summary>A cookie value that must not get anyone in.</summary>
    private async Task<string?> CookieValueAsync(string kind)
    {
        switch (kind)
        {
            case "none":
                return null;
            case "forged":
                return "CfDJ8forged" + new string('A', 200);
            case "expired":
            {
                await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
                await using var scope = App.Services.CreateAsyncScope();
                var administrator = (await scope.ServiceProvider.GetRequiredService<AdministratorAccounts>()
                    .FindAsync("root", CancellationToken.None))!;
                return Protect(administrator, expires: DateTimeOffset.UtcNow.AddMinutes(-5));
            }
            default: // a once-valid session of a password changed since
            {
                await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
                await using var scope = App.Services.CreateAsyncScope();
                var accounts = scope.ServiceProvider.GetRequiredService<AdministratorAccounts>();
                var before = (await accounts.FindAsync("root", CancellationToken.None))!;
                var cookie = Protect(before, expires: DateTimeOffset.UtcNow.AddHours(1));
                await accounts.SetPasswordAsync("root", "a brand new password", mustChange: false, CancellationToken.None);
                return cookie;
            }
        }
    }

    /// <param name="signedInAt">When the password was checked; by default eight hours before expiry.</param>
    private string Protect(Administrator administrator, DateTimeOffset expires, DateTimeOffset? signedInAt = null)
    {
        var cookieOptions = App.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(AdminClaims.Scheme);
        var claims = AdminServiceExtensions.ClaimsFor(administrator, signedInAt ?? expires.AddHours(-8));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, AdminClaims.Scheme));
        var ticket = new AuthenticationTicket(principal, new AuthenticationProperties
        {
            IssuedUtc = expires.AddHours(-8),
            ExpiresUtc = expires,
        }, AdminClaims.Scheme);
        return cookieOptions.TicketDataFormat.Protect(ticket);
    }

    [Fact]
    public async Task A_session_ends_its_absolute_lifetime_after_signing_in_however_active_it_was()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
        var lifetime = App.Services.GetRequiredService<IOptions<AdminOptions>>().Value.SessionAbsoluteLifetime;
        await using var scope = App.Services.CreateAsyncScope();
        var administrator = (await scope.ServiceProvider.GetRequiredService<AdministratorAccounts>()
            .FindAsync("root", CancellationToken.None))!;
        // Both cookies were just renewed by activity (sliding), so only the moment of signing in tells them apart.
        var renewedUntil = DateTimeOffset.UtcNow.AddHours(8);
        var recent = Protect(administrator, renewedUntil, signedInAt: DateTimeOffset.UtcNow - lifetime + TimeSpan.FromMinutes(5));
        var tooOld = Protect(administrator, renewedUntil, signedInAt: DateTimeOffset.UtcNow - lifetime - TimeSpan.FromMinutes(1));

        using var stillIn = await GetAdminWithCookieAsync(recent);
        using var signedOut = await GetAdminWithCookieAsync(tooOld);

        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        Assert.StartsWith("/admin/login", PathOf(signedOut), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> GetAdminWithCookieAsync(string cookieValue)
    {
        using var client = App.CreateChatClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin");
        request.Headers.Add("Cookie", $"{AdminClaims.CookieName}={cookieValue}");
        return await client.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_valid_session_gets_in_proving_the_refusals_above_are_about_the_cookie()
    {
        using var admin = await AdminSession.SignInAsync(App);

        using var response = await admin.Http.GetAsync("admin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ChatClient.ParseHtmlAsync(await response.Content.ReadAsStringAsync());
        Assert.NotNull(page.QuerySelector("#admin-rooms tr[data-slug=general]"));
    }

    [Fact]
    public async Task First_start_creates_an_administrator_whose_password_is_hashed_and_must_be_changed()
    {
        _ = App.BaseAddress;
        await using var db = App.CreateDbContext();

        var administrator = await db.Administrators.SingleAsync();

        Assert.Equal("admin", administrator.UserName);
        Assert.True(administrator.MustChangePassword);
        Assert.StartsWith("AQAAAA", administrator.PasswordHash, StringComparison.Ordinal); // PasswordHasher v3 format
    }

    [Fact]
    public async Task Failed_sign_in_says_so_without_saying_which_part_was_wrong()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
        using var client = App.CreateChatClient();

        using var wrongPassword = await AdminSession.SubmitLoginAsync(client, "root", "not the password");
        using var wrongName = await AdminSession.SubmitLoginAsync(client, "nobody", AdminSession.DefaultPassword);

        var first = await ErrorSummaryAsync(wrongPassword);
        var second = await ErrorSummaryAsync(wrongName);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongName.StatusCode);
        Assert.Equal("Incorrect user name or password.", first);
        Assert.Equal(first, second);
        Assert.False(wrongPassword.Headers.TryGetValues("Set-Cookie", out var cookies)
            && cookies.Any(c => c.StartsWith(AdminClaims.CookieName, StringComparison.Ordinal)));

        await using var db = App.CreateDbContext();
        Assert.Equal(2, await db.AuditEntries.CountAsync(e => e.Action == AuditAction.SignInFailed));
    }

    private static async Task<string> ErrorSummaryAsync(HttpResponseMessage response)
    {
        var page = await ChatClient.ParseHtmlAsync(await response.Content.ReadAsStringAsync());
        return page.QuerySelector(".validation-summary-errors li")?.TextContent.Trim() ?? "";
    }

    [Fact]
    public async Task Session_cookie_is_HttpOnly_and_SameSite_strict()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
        using var client = App.CreateChatClient();

        using var response = await AdminSession.SubmitLoginAsync(client, "root", AdminSession.DefaultPassword);

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AdminClaims.CookieName, StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(AdminSession.DefaultPassword, cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_attempts_are_rate_limited_with_429_and_Retry_After()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
        using var client = App.CreateChatClient();
        var limit = App.Services.GetRequiredService<IOptions<AdminOptions>>().Value.LoginPermitLimit;

        for (var i = 0; i < limit; i++)
        {
            using var attempt = await AdminSession.SubmitLoginAsync(client, "root", $"guess {i}");
            Assert.Equal(HttpStatusCode.Unauthorized, attempt.StatusCode);
        }
        using var refused = await AdminSession.SubmitLoginAsync(client, "root", AdminSession.DefaultPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.False(refused.Headers.TryGetValues("Set-Cookie", out var cookies)
            && cookies.Any(c => c.StartsWith(AdminClaims.CookieName, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_one_time_password_must_be_replaced_and_changing_it_signs_out_other_sessions()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", "one-time-password-123", mustChange: true);
        using var first = App.CreateChatClient();
        using var login = await AdminSession.SubmitLoginAsync(first, "root", "one-time-password-123");
        Assert.Equal("/admin/password", PathOf(login));
        using var elsewhere = App.CreateChatClient();
        (await AdminSession.SubmitLoginAsync(elsewhere, "root", "one-time-password-123")).Dispose();

        using var blocked = await first.Http.GetAsync("admin");
        Assert.Equal("/admin/password", PathOf(blocked));

        var page = await first.GetDocumentAsync("admin/password");
        var fields = page.QuerySelectorAll<AngleSharp.Html.Dom.IHtmlInputElement>("main form input[type=hidden]")
            .Where(i => i.Name == "__RequestVerificationToken").Select(i => i.Value).First();
        using var tooShort = await first.Http.PostAsync("admin/password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = fields,
            ["CurrentPassword"] = "one-time-password-123",
            ["NewPassword"] = "short",
            ["ConfirmPassword"] = "short",
        }));
        Assert.Equal(HttpStatusCode.OK, tooShort.StatusCode);
        Assert.Contains("at least", await tooShort.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var changed = await first.Http.PostAsync("admin/password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = fields,
            ["CurrentPassword"] = "one-time-password-123",
            ["NewPassword"] = "my own long password",
            ["ConfirmPassword"] = "my own long password",
        }));
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        using var nowOpen = await first.Http.GetAsync("admin");
        Assert.Equal(HttpStatusCode.OK, nowOpen.StatusCode);
        using var signedOut = await elsewhere.Http.GetAsync("admin");
        Assert.StartsWith("/admin/login", PathOf(signedOut), StringComparison.Ordinal);
        using var oldPassword = await AdminSession.SubmitLoginAsync(App.CreateChatClient(), "root", "one-time-password-123");
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
    }

    [Fact]
    public async Task Sign_out_ends_the_session_even_for_a_copy_of_its_cookie()
    {
        using var admin = await AdminSession.SignInAsync(App);
        var copied = admin.Client.Cookies.GetCookies(App.BaseAddress)[AdminClaims.CookieName]!.Value;

        using var response = await admin.PostAsync("admin/logout");

        Assert.Equal("/admin/login", PathOf(response));
        using var after = await admin.Http.GetAsync("admin");
        Assert.StartsWith("/admin/login", PathOf(after), StringComparison.Ordinal);
        using var stranger = App.CreateChatClient();
        using var replay = new HttpRequestMessage(HttpMethod.Get, "admin");
        replay.Headers.Add("Cookie", $"{AdminClaims.CookieName}={copied}");
        using var replayed = await stranger.Http.SendAsync(replay);
        Assert.StartsWith("/admin/login", PathOf(replayed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_names_ignore_case_so_a_reset_never_creates_a_second_account()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", "the first long password");

        await AdminSession.CreateAdministratorAsync(App, "Root", "the second long password");

        await using var db = App.CreateDbContext();
        var names = await db.Administrators.Select(a => a.UserName).ToListAsync(); // "admin" is the first-start one
        Assert.Equal("root", Assert.Single(names, n => n.Equals("root", StringComparison.OrdinalIgnoreCase)));
        using var client = App.CreateChatClient();
        using var response = await AdminSession.SubmitLoginAsync(client, "ROOT", "the second long password");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task A_name_that_does_not_exist_is_not_kept_in_the_audit_log()
    {
        using var client = App.CreateChatClient();

        using var response = await AdminSession.SubmitLoginAsync(client, "my-password-in-the-wrong-box", "x");

        await using var db = App.CreateDbContext();
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == AuditAction.SignInFailed);
        Assert.Equal("(unknown name)", entry.Actor);
    }

    [Theory]
    [InlineData("2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb::9", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("192.0.2.1", "192.0.2.2", false)]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1", true)]
    public void Sign_in_limits_count_an_IPv6_host_by_its_64_bit_prefix(string first, string second, bool same)
    {
        var a = SseChat.Web.Security.ClientAddress.Partition(System.Net.IPAddress.Parse(first));
        var b = SseChat.Web.Security.ClientAddress.Partition(System.Net.IPAddress.Parse(second));

        Assert.Equal(same, a == b);
    }

    /// <summary>Where a redirect points, as a path (every redirect is relative now; an absolute one would still read).</summary>
    private static string PathOf(HttpResponseMessage response) =>
        response.Headers.Location is { } location
            ? location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString
            : "";
}
