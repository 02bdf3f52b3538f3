using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using SseChat.Web.Extensions;
using SseChat.Web.Localization;
using SseChat.Web.Models;

namespace SseChat.Web.Controllers;

/// <summary>
/// Re-executed by the status-code-pages middleware for error statuses without a body: a page for browsers,
/// ProblemDetails for everything else. Any method may land here, and an antiforgery failure must not fail again.
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
        var statusCode = int.Parse((string)RouteData.Values["statusCode"]!, CultureInfo.InvariantCulture);
        var title = titles.For(statusCode);
        if (Request.AcceptsHtml())
        {
            Response.StatusCode = statusCode;
            return View("Error", new ErrorViewModel(statusCode, title, Activity.Current?.Id ?? HttpContext.TraceIdentifier));
        }
        return Problem(statusCode: statusCode, title: title, detail: DetailFor(statusCode));
    }

    private string? DetailFor(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => text["BadRequestDetail"].Value,
        StatusCodes.Status404NotFound => text["NotFoundDetail"].Value,
        _ => null,
    };
}
