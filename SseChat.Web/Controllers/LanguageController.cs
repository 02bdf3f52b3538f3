using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Extensions;
using SseChat.Web.Localization;
using SseChat.Web.Models;

namespace SseChat.Web.Controllers;

/// <summary>The language switcher: remembers the reader's choice in the culture cookie that request localization reads.</summary>
[Route("language")]
[IgnoreAntiforgeryToken] // see _LanguageSwitcher.cshtml: a forged choice only changes a language
public sealed class LanguageController : Controller
{
    /// <summary>Long enough that a reader chooses once; the cookie is renewed with every choice.</summary>
    private static readonly TimeSpan ChoiceLifetime = TimeSpan.FromDays(365);

    /// <summary>Any absolute base will do: only the path and query of a local address are kept.</summary>
    private static readonly Uri ThisSite = new("http://localhost/");

    [HttpPost("")]
    public IActionResult Choose(LanguageForm form)
    {
        if (!ModelState.IsValid)
        {
            return ValidationProblem(ModelState);
        }
        var culture = SupportedCultures.Find(form.Culture)!; // validated above
        Response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions
            {
                MaxAge = ChoiceLifetime,
                Path = Request.PathBase.HasValue ? Request.PathBase.Value : "/",
                HttpOnly = true,
                Secure = Request.IsHttps,
                SameSite = SameSiteMode.Lax,
                IsEssential = true,
            });
        if (Request.AcceptsJson())
        {
            return NoContent();
        }
        return this.SeeOther(LocalTarget(form.ReturnUrl) ?? Url.Action("Index", "Home")!);
    }

    /// <summary>
    /// The return address as a Location header can carry it, or null when it is not on this site (an open redirect
    /// would let a link send readers anywhere). "~/" is resolved against the path base, and anything outside ASCII
    /// (a path typed in Chinese) is percent-encoded, which Kestrel requires of header values. Resolving also removes
    /// dot segments and turns backslashes into slashes ("/..//evil.com" becomes "//evil.com"), so the address is
    /// checked again as it will be sent: only that one decides where the browser goes.
    /// </summary>
    private string? LocalTarget(string? returnUrl)
    {
        if (!Url.IsLocalUrl(returnUrl))
        {
            return null;
        }
        var path = returnUrl.StartsWith('~') ? Url.Content(returnUrl) : returnUrl;
        var target = new Uri(ThisSite, path).PathAndQuery;
        return Url.IsLocalUrl(target) ? target : null;
    }
}
