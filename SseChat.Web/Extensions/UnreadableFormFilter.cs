using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;

namespace SseChat.Web.Extensions;

/// <summary>
/// Reads a posted form before model binding and answers a form that cannot be read (a NUL in a urlencoded body,
/// too many fields, a body over Kestrel's MaxRequestBodySize) with a 4xx ProblemDetails. Without it model binding
/// swallows the failure and binds nothing at all, not even the route's slug, and the action answers nonsense.
/// The antiforgery check usually reads the form first; a token sent in the RequestVerificationToken header skips that.
/// </summary>
internal sealed class UnreadableFormFilter(ProblemDetailsFactory problems) : IAsyncResourceFilter
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
            title: "The form could not be read.",
            detail: status == StatusCodes.Status413PayloadTooLarge
                ? "It is larger than the server accepts."
                : "It is malformed, or holds characters (such as NUL) that a form cannot carry.");
        return new ObjectResult(problem) { StatusCode = problem.Status };
    }
}
