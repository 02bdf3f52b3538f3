using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SseChat.Web.Data;
using SseChat.Web.Extensions;

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

        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(AdminClaims.LoginRateLimit, context =>
            {
                var admin = context.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    ClientPartition(context.Connection.RemoteIpAddress),
                    _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = admin.LoginPermitLimit,
                        Window = admin.LoginWindow,
                        QueueLimit = 0,
                    });
            });
            limiter.OnRejected = WriteTooManyRequestsAsync;
        });
        return builder;
    }

    /// <summary>
    /// The address a limit counts against. An IPv6 host usually owns a whole /64, so counting single addresses
    /// would hand it billions of fresh allowances.
    /// </summary>
    internal static string ClientPartition(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
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

    // 429 with Retry-After. Scripts get ProblemDetails; for a page nothing is written here, so the status-code
    // pages render the friendly error page.
    private static async ValueTask WriteTooManyRequestsAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        if (!http.Request.AcceptsHtml())
        {
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails =
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many attempts.",
                    Detail = "Wait a little before trying again.",
                },
            });
        }
    }

    /// <summary>Creates an administrator with a one-time password when there is none (a fresh database).</summary>
    public static async Task EnsureAnAdministratorExistsAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AdministratorAccounts>()
            .EnsureAnAdministratorExistsAsync(app.Lifetime.ApplicationStopping);
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
