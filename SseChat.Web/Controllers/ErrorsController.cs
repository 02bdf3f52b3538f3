using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using SseChat.Web.Extensions;
using SseChat.Web.Models;

namespace SseChat.Web.Controllers;

/// <summary>
/// Re-executed by the status-code-pages middleware for error statuses without a body: a page for browsers,
/// ProblemDetails for everything else. Any method may land here, and an antiforgery failure must not fail again.
/// </summary>
[IgnoreAntiforgeryToken]
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class ErrorsController : Controller
{
    // No parameters to bind: a re-executed POST still carries its form, which must not be read (it may be why we
    // are here), and model binding would read it for any parameter, even one bound [FromRoute].
    [Route("errors/{statusCode:int}")]
    public IActionResult Show()
    {
        var statusCode = int.Parse((string)RouteData.Values["statusCode"]!, CultureInfo.InvariantCulture);
        var title = ReasonPhrases.GetReasonPhrase(statusCode);
        if (Request.AcceptsHtml())
        {
            Response.StatusCode = statusCode;
            return View("Error", new ErrorViewModel(statusCode, title, Activity.Current?.Id ?? HttpContext.TraceIdentifier));
        }
        return Problem(statusCode: statusCode, title: title, detail: DetailFor(statusCode));
    }

    private static string? DetailFor(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest =>
            "The request could not be accepted.",
        StatusCodes.Status404NotFound => "There is no such room or resource.",
        _ => null,
    };
}
