using System.Security.Claims;
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
        services.AddHttpContextAccessor(); // NotAnAdministratorsNameAttribute asks whether the poster is one

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
                cookie.Events.OnValidatePrincipal = RejectSessionsOfChangedPasswordsAsync;
                cookie.Events.OnRedirectToLogin = context => AnswerScriptsWithStatus(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => AnswerScriptsWithStatus(context, StatusCodes.Status403Forbidden);
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(AdminClaims.Policy, policy => policy.RequireAuthenticatedUser().RequireRole(AdminClaims.Role));

        // Rejections are answered like every other rate limit's (RateLimitingExtensions): 429, Retry-After.
        services.AddRateLimiter(limiter => limiter.AddPolicy(AdminClaims.LoginRateLimit, context =>
        {
            var admin = context.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value;
            return RateLimitingExtensions.PerClientWindow(context, admin.LoginPermitLimit, admin.LoginWindow);
        }));
        return builder;
    }

    /// <summary>A password change (or reset from the command line) renews the stamp and so ends older sessions.</summary>
    private static async Task RejectSessionsOfChangedPasswordsAsync(CookieValidatePrincipalContext context)
    {
        var userName = context.Principal?.Identity?.Name;
        var stamp = context.Principal?.FindFirstValue(AdminClaims.SecurityStamp);
        var accounts = context.HttpContext.RequestServices.GetRequiredService<AdministratorAccounts>();
        var administrator = userName is null ? null : await accounts.FindAsync(userName, context.HttpContext.RequestAborted);
        if (administrator is null || administrator.SecurityStamp != stamp)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(AdminClaims.Scheme);
        }
    }

    // Pages are redirected to the sign-in form; a script's fetch gets a plain status it can act on.
    private static Task AnswerScriptsWithStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.AcceptsJson())
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
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

    internal static IEnumerable<Claim> ClaimsFor(Administrator administrator)
    {
        yield return new Claim(ClaimTypes.Name, administrator.UserName);
        yield return new Claim(ClaimTypes.Role, AdminClaims.Role);
        yield return new Claim(AdminClaims.SecurityStamp, administrator.SecurityStamp);
        if (administrator.MustChangePassword)
        {
            yield return new Claim(AdminClaims.MustChangePassword, "true");
        }
    }
}
