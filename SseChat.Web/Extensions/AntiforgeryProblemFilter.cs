using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.Localization;
using SseChat.Web.Localization;

namespace SseChat.Web.Extensions;

/// <summary>
/// Answers a failed antiforgery check with a 400 ProblemDetails right away. MVC's own result is an empty 400 that
/// the status-code pages would re-execute, and a re-executed request must not touch a form that failed to parse.
/// </summary>
internal sealed class AntiforgeryProblemFilter(ProblemDetailsFactory problems, IStringLocalizer<ProblemText> text) : IAlwaysRunResultFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is IAntiforgeryValidationFailedResult)
        {
            var problem = problems.CreateProblemDetails(
                context.HttpContext,
                StatusCodes.Status400BadRequest,
                title: text["FormRejectedTitle"],
                detail: text["FormRejectedDetail"]);
            context.Result = new ObjectResult(problem) { StatusCode = problem.Status };
        }
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
