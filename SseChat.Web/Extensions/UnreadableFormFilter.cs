using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.Localization;
using SseChat.Web.Localization;

namespace SseChat.Web.Extensions;

/// <summary>
/// Reads a posted form before model binding and answers a form that cannot be read (a NUL in a urlencoded body,
/// too many fields, a body over Kestrel's MaxRequestBodySize) with a 4xx ProblemDetails. Without it model binding
/// swallows the failure and binds nothing at all, not even the route's slug, and the action answers nonsense.
/// It runs just before the antiforgery check (an authorization filter of order 1000), which would otherwise read the
/// form first and answer every unreadable one, a body over the limit too, as a 400 token failure rather than a 413.
/// Registered with order 999 for that reason (ChatServiceExtensions).
/// </summary>
internal sealed class UnreadableFormFilter(ProblemDetailsFactory problems, IStringLocalizer<ProblemText> text)
    : IAsyncAuthorizationFilter
{
    public const int OrderBeforeAntiforgery = 999;

    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var request = context.HttpContext.Request;
        if (request.HasFormContentType)
        {
            try
            {
                await request.ReadFormAsync(context.HttpContext.RequestAborted);
            }
            catch (BadHttpRequestException exception)
            {
                context.Result = Refuse(context.HttpContext, exception.StatusCode);
            }
            catch (Exception exception) when (exception is InvalidDataException or IOException)
            {
                context.Result = Refuse(context.HttpContext, StatusCodes.Status400BadRequest);
            }
        }
    }

    private ObjectResult Refuse(HttpContext httpContext, int status)
    {
        var problem = problems.CreateProblemDetails(
            httpContext,
            status,
            title: text["FormUnreadableTitle"],
            detail: status == StatusCodes.Status413PayloadTooLarge ? text["FormTooLargeDetail"] : text["FormMalformedDetail"]);
        return new ObjectResult(problem) { StatusCode = problem.Status };
    }
}
