using System.Globalization;
using SseChat.Web.Extensions;

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
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>Whole seconds, rounded up and at least one: Retry-After has no fractions, and 0 invites a hot loop.</summary>
    public static int Seconds(TimeSpan delay) => Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));
}
