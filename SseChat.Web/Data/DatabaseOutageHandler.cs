using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using SseChat.Web.Chat;
using SseChat.Web.Localization;
using SseChat.Web.Security;

namespace SseChat.Web.Data;

/// <summary>
/// A request that failed because the database cannot be reached gets 503 with Retry-After, not a 500: nothing was
/// changed, and the same request (a post with its clientMessageId) may simply be sent again. Logged once per outage by
/// <see cref="DatabaseAvailability"/>, not per request (handled exceptions are not logged again by the middleware).
/// </summary>
internal sealed class DatabaseOutageHandler(
    DatabaseAvailability availability,
    IStringLocalizer<ProblemText> text,
    IOptions<ChatOptions> options) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!DatabaseAvailability.IsOutage(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }
        availability.ReportFailure(exception);
        await Refusals.WriteAsync(httpContext, StatusCodes.Status503ServiceUnavailable, options.Value.RetryInterval,
            text["DatabaseUnavailableTitle"], text["DatabaseUnavailableDetail"]);
        return true;
    }
}
