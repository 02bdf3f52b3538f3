using System.Globalization;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.Localization;
using SseChat.Web.Extensions;
using SseChat.Web.Localization;

namespace SseChat.Web.Security;

/// <summary>How the app says "not now": a status, Retry-After, and a ProblemDetails body for scripts and tools.</summary>
internal static class Refusals
{
    /// <summary>
    /// Writes the refusal. A page request gets no body here, so the status-code pages render the friendly error
    /// page; everything else (fetch, EventSource, bots) gets ProblemDetails whose detail a person can read.
    /// </summary>
    public static async Task WriteAsync(HttpContext http, int status, TimeSpan? retryAfter, string title, string detail)
    {
        http.Response.StatusCode = status;
        if (retryAfter is { } delay)
        {
            http.Response.Headers.RetryAfter = Seconds(delay).ToString(CultureInfo.InvariantCulture);
        }
        if (http.Request.AcceptsHtml())
        {
            return;
        }
        // Written here rather than through IProblemDetailsService, whose writers decline requests that do not
        // accept JSON (EventSource asks for text/event-stream only) and leave the status-code pages to answer.
        var problem = http.RequestServices.GetRequiredService<ProblemDetailsFactory>()
            .CreateProblemDetails(http, status, title, detail: detail);
        await http.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
    }

    /// <summary>"60 seconds" (or "a little" when the wait is unknown) in the reader's language, for a refusal's detail.</summary>
    public static string Wait(IStringLocalizer<ProblemText> text, TimeSpan? delay) =>
        delay is { } known ? text["WaitSeconds", Seconds(known)] : text["WaitALittle"];

    /// <summary>Whole seconds, rounded up and at least one: Retry-After has no fractions, and 0 invites a hot loop.</summary>
    public static int Seconds(TimeSpan delay) => Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));
}
