using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.Options;

namespace SseChat.Web.Security;

internal static class SecurityHeadersExtensions
{
    /// <summary>The headers' settings, and HSTS with the configured max-age.</summary>
    public static WebApplicationBuilder AddSecurityHeaders(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SecurityHeadersOptions>()
            .BindConfiguration(SecurityHeadersOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<HstsOptions>()
            .Configure<IOptions<SecurityHeadersOptions>>((hsts, headers) => hsts.MaxAge = headers.Value.HstsMaxAge);
        return builder;
    }

    /// <summary>
    /// Content-Security-Policy, X-Content-Type-Options, Referrer-Policy and X-Frame-Options on every response, and
    /// HSTS on HTTPS responses outside Development. Hand-written because ASP.NET Core has no middleware for these
    /// constant headers (only HSTS, used here). Placed after the exception handler, which clears headers: an
    /// error page re-executes through here and gets them again.
    /// </summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            // Only over HTTPS (directly, or as X-Forwarded-Proto from a known proxy), and never for localhost.
            app.UseHsts();
        }
        var options = app.Services.GetRequiredService<IOptions<SecurityHeadersOptions>>().Value;
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = options.ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = options.ReferrerPolicy;
            headers.XFrameOptions = "DENY"; // frame-ancestors, for browsers that predate it
            return next(context);
        });
        return app;
    }
}
