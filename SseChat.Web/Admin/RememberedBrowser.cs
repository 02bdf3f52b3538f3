using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace SseChat.Web.Admin;

/// <summary>
/// A browser that signed in to an account before keeps a cookie that says so (OWASP's "device cookie"): sealed by
/// Data Protection with an expiry, so it cannot be forged or outlive Admin:RememberBrowserFor. It exempts the browser
/// from the per-account sign-in limit, never from the password or from the per-address limits.
/// </summary>
public sealed class RememberedBrowser(IDataProtectionProvider protection, TimeProvider clock, IOptions<AdminOptions> options)
{
    public const string CookieName = ".SseChat.RememberedBrowser";

    private readonly ITimeLimitedDataProtector protector =
        protection.CreateProtector("SseChat.Admin.RememberedBrowser").ToTimeLimitedDataProtector();

    public bool IsRememberedFor(HttpContext http, string userName)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value))
        {
            return false;
        }
        try
        {
            return protector.Unprotect(value, out _) == SignInThrottle.AccountKey(userName);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false; // forged, expired, or sealed with a key this server no longer has
        }
    }

    public void Remember(HttpContext http, string userName)
    {
        var lifetime = options.Value.RememberBrowserFor;
        http.Response.Cookies.Append(
            CookieName,
            protector.Protect(SignInThrottle.AccountKey(userName), clock.GetUtcNow() + lifetime),
            new CookieOptions
            {
                MaxAge = lifetime,
                Path = http.Request.PathBase.Add("/admin").Value,
                HttpOnly = true,
                Secure = http.Request.IsHttps,
                SameSite = SameSiteMode.Strict,
                IsEssential = true,
            });
    }
}
