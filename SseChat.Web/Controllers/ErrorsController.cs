using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using SseChat.Web.Extensions;
using SseChat.Web.Localization;
using SseChat.Web.Models;

namespace SseChat.Web.Controllers;

/// <summary>
/// Re-executed by the status-code-pages middleware for error statuses without a body: a page for browsers,
/// ProblemDetails for everything else. Any method may land here, and an antiforgery failure must not fail again.
/// Asked for directly, it is not there: it would otherwise answer any status it is given (0, 204, 304...), which
/// Kestrel cannot write as an error page.
/// </summary>
[IgnoreAntiforgeryToken]
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class ErrorsController(StatusTitles titles, IStringLocalizer<ErrorsController> text) : Controller
{
    // No parameters to bind: a re-executed POST still carries its form, which must not be read (it may be why we
    // are here), and model binding would read it for any parameter, even one bound [FromRoute].
    [Route("errors/{statusCode:int}")]
    public IActionResult Show()
    {
        if (HttpContext.Features.Get<IStatusCodeReExecuteFeature>() is null
            || !int.TryParse((string?)RouteData.Values["statusCode"], CultureInfo.InvariantCulture, out var statusCode)
            || statusCode is < 400 or > 599)
        {
            return NotFound(); // re-executed in turn, this time as the 404 page
        }
        var title = titles.For(statusCode);
        if (Request.AcceptsHtml())
        {
            Response.StatusCode = statusCode;
            return View("Error", new ErrorViewModel(
                statusCode, title, Activity.Current?.Id ?? HttpContext.TraceIdentifier, FromAdminArea()));
        }
        return Problem(statusCode: statusCode, title: title, detail: DetailFor(statusCode));
    }

    // The page that failed was in the admin area, so its way back leads there rather than to the rooms.
    private bool FromAdminArea() =>
        HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath is { } path
        && (path.Equals("/admin", StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("/admin/", StringComparison.OrdinalIgnoreCase));

    private string? DetailFor(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => text["BadRequestDetail"].Value,
        StatusCodes.Status404NotFound => text["NotFoundDetail"].Value,
        _ => null,
    };
}
