using Microsoft.AspNetCore.Mvc;

namespace SseChat.Web.Extensions;

internal static class ControllerExtensions
{
    /// <summary>303 See Other: after a form POST the browser must GET the target (MVC's redirects are 302).</summary>
    public static IActionResult SeeOther(this ControllerBase controller, string url)
    {
        controller.Response.Headers.Location = url;
        return controller.StatusCode(StatusCodes.Status303SeeOther);
    }
}
