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
/// The antiforgery check usually reads the form first; a token sent in the RequestVerificationToken header skips that.
/// </summary>
internal sealed class UnreadableFormFilter(ProblemDetailsFactory problems, IStringLocalizer<ProblemText> text) : IAsyncResourceFilter
{
    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
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
                return;
            }
            catch (Exception exception) when (exception is InvalidDataException or IOException)
            {
                context.Result = Refuse(context.HttpContext, StatusCodes.Status400BadRequest);
                return;
            }
        }
        await next();
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
