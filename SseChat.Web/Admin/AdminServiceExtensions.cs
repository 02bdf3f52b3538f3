using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SseChat.Web.Data;
using SseChat.Web.Extensions;
using SseChat.Web.Security;

namespace SseChat.Web.Admin;

internal static class AdminServiceExtensions
{
    /// <summary>The admin area: cookie sign-in, the administrator policy, and rate-limited sign-in attempts.</summary>
    public static WebApplicationBuilder AddAdmin(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AdminOptions>()
            .BindConfiguration(AdminOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<IPasswordHasher<Administrator>, PasswordHasher<Administrator>>();
        services.AddScoped<AdministratorAccounts>();
        services.AddScoped<AuditLog>();
        services.AddScoped<AdminRoomQueries>();
        services.AddSingleton<AdministratorNames>();
        services.AddHostedService<AdministratorNamesRefresher>();
        services.AddHttpContextAccessor(); // NotAnAdministratorsNameAttribute asks whether the poster is one
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<RememberedBrowser>();

        services.AddAuthentication(AdminClaims.Scheme)
            .AddCookie(AdminClaims.Scheme, _ => { });
        services.AddOptions<CookieAuthenticationOptions>(AdminClaims.Scheme)
            .Configure<IOptions<AdminOptions>>((cookie, admin) =>
            {
                cookie.Cookie.Name = AdminClaims.CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure whenever served over HTTPS
                cookie.LoginPath = "/admin/login";
                cookie.LogoutPath = "/admin/logout";
                cookie.AccessDeniedPath = "/admin/login";
                cookie.ExpireTimeSpan = admin.Value.SessionTimeout;
                cookie.SlidingExpiration = true;
                cookie.Events.OnValidatePrincipal = RejectEndedSessionsAsync;
                cookie.Events.OnRedirectToLogin = context => AnswerScriptsWithStatus(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => AnswerScriptsWithStatus(context, StatusCodes.Status403Forbidden);
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(AdminClaims.Policy, policy => policy.RequireAuthenticatedUser().RequireRole(AdminClaims.Role));

        // Rejections are answered like every other rate limit's (RateLimitingExtensions): 429, Retry-After. The
        // per-account sign-in limits need the posted name, so SignInThrottle applies them in the action.
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(AdminClaims.LoginRateLimit, context =>
            {
                var admin = context.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value;
                return RateLimitingExtensions.PerClientWindow(context, admin.AddressLoginPermitLimit, admin.LoginWindow);
            });
            limiter.AddPolicy(AdminClaims.PasswordChangeRateLimit, context =>
            {
                var admin = context.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.User.Identity?.Name ?? "",
                    _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = admin.PasswordChangePermitLimit,
                        Window = admin.PasswordChangeWindow,
                        QueueLimit = 0,
                    });
            });
        });
        return builder;
    }

    /// <summary>
    /// A password change (or reset from the command line) renews the stamp and so ends older sessions; and however
    /// busy, a session ends Admin:SessionAbsoluteLifetime after signing in (the sliding cookie alone never would).
    /// </summary>
    private static async Task RejectEndedSessionsAsync(CookieValidatePrincipalContext context)
    {
        var http = context.HttpContext;
        var userName = context.Principal?.Identity?.Name;
        var stamp = context.Principal?.FindFirstValue(AdminClaims.SecurityStamp);
        var accounts = http.RequestServices.GetRequiredService<AdministratorAccounts>();
        var administrator = userName is null ? null : await accounts.FindAsync(userName, http.RequestAborted);
        if (administrator is null || administrator.SecurityStamp != stamp || !IsWithinAbsoluteLifetime(context))
        {
            context.RejectPrincipal();
            await http.SignOutAsync(AdminClaims.Scheme);
        }
    }

    // The ticket's IssuedUtc moves with every sliding renewal, so the moment of signing in travels as a claim.
    private static bool IsWithinAbsoluteLifetime(CookieValidatePrincipalContext context)
    {
        var signedInAt = context.Principal?.FindFirstValue(AdminClaims.SignedInAt);
        if (!long.TryParse(signedInAt, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }
        var services = context.HttpContext.RequestServices;
        var lifetime = services.GetRequiredService<IOptions<AdminOptions>>().Value.SessionAbsoluteLifetime;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        return now < DateTimeOffset.FromUnixTimeSeconds(seconds) + lifetime;
    }

    /// <summary>
    /// Pages are redirected to the sign-in form; a script's fetch gets a plain status it can act on. The handler's
    /// RedirectUri is absolute, built from the request's Host header, which a client chooses: the Location sent is
    /// the path and query only, so a forged Host never makes the app send a browser elsewhere.
    /// </summary>
    private static Task AnswerScriptsWithStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.AcceptsJson())
        {
            context.Response.StatusCode = status;
        }
        else
        {
            var target = new Uri(context.RedirectUri, UriKind.RelativeOrAbsolute);
            context.Response.Redirect(target.IsAbsoluteUri ? target.PathAndQuery : context.RedirectUri);
        }
        return Task.CompletedTask;
    }

    /// <summary>Creates an administrator with a one-time password when there is none (a fresh database).</summary>
    public static async Task EnsureAnAdministratorExistsAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AdministratorAccounts>()
            .EnsureAnAdministratorExistsAsync(app.Lifetime.ApplicationStopping);
    }

    /// <summary>Reads the names administrators go by, which visitors may not use (NotAnAdministratorsNameAttribute).</summary>
    public static async Task LoadAdministratorNamesAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await app.Services.GetRequiredService<AdministratorNames>()
            .LoadAsync(scope.ServiceProvider.GetRequiredService<ChatDbContext>(), app.Lifetime.ApplicationStopping);
    }

    /// <param name="signedInAt">When the password was checked, which starts Admin:SessionAbsoluteLifetime.</param>
    internal static IEnumerable<Claim> ClaimsFor(Administrator administrator, DateTimeOffset signedInAt)
    {
        yield return new Claim(
            AdminClaims.SignedInAt, signedInAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64);
        yield return new Claim(ClaimTypes.Name, administrator.UserName);
        yield return new Claim(ClaimTypes.Role, AdminClaims.Role);
        yield return new Claim(AdminClaims.SecurityStamp, administrator.SecurityStamp);
        if (administrator.MustChangePassword)
        {
            yield return new Claim(AdminClaims.MustChangePassword, "true");
        }
    }
}
