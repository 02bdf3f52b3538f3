using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;

namespace SseChat.Web.Security;

internal static class CookiePolicyExtensions
{
    /// <summary>
    /// The framework's own cookies (antiforgery, TempData notices) are Secure whenever the request came over HTTPS,
    /// as the admin session's is: a cookie sent over TLS must never be sent back over plain HTTP. Behind a proxy
    /// the scheme is the forwarded one (ReverseProxy:KnownProxies), so this holds behind nginx too.
    /// </summary>
    public static WebApplicationBuilder AddSecureCookies(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<AntiforgeryOptions>(antiforgery =>
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        builder.Services.Configure<CookieTempDataProviderOptions>(tempData =>
            tempData.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return builder;
    }
}
