using System.Diagnostics;
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
    [Route("errors/{statusCode:int}")]
    public IActionResult Show(int statusCode)
    {
        var title = ReasonPhrases.GetReasonPhrase(statusCode);
        if (Request.AcceptsHtml())
        {
            Response.StatusCode = statusCode;
            return View("Error", new ErrorViewModel(statusCode, title, Activity.Current?.Id ?? HttpContext.TraceIdentifier));
        }
        return Problem(statusCode: statusCode, title: title);
    }
}
