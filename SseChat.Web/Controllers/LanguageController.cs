using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Extensions;
using SseChat.Web.Localization;
using SseChat.Web.Models;

namespace SseChat.Web.Controllers;

/// <summary>The language switcher: remembers the reader's choice in the culture cookie that request localization reads.</summary>
[Route("language")]
public sealed class LanguageController : Controller
{
    /// <summary>Long enough that a reader chooses once; the cookie is renewed with every choice.</summary>
    private static readonly TimeSpan ChoiceLifetime = TimeSpan.FromDays(365);

    [HttpPost("")]
    public IActionResult Choose(LanguageForm form)
    {
        if (!ModelState.IsValid)
        {
            return ValidationProblem(ModelState);
        }
        var culture = SupportedCultures.All.First(name => string.Equals(name, form.Culture, StringComparison.OrdinalIgnoreCase));
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
        // Only an address on this site: an open redirect would let a link send readers anywhere.
        return this.SeeOther(Url.IsLocalUrl(form.ReturnUrl) ? form.ReturnUrl : Url.Action("Index", "Home")!);
    }
}
