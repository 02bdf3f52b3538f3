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
/// Its <c>code</c> extension tells a script this refusal from the others by something better than words: a page whose
/// token was made for another identity (its visitor signed in or out of the admin area in another tab) can then fetch
/// a fresh token and send the same form once more.
/// </summary>
internal sealed class AntiforgeryProblemFilter(ProblemDetailsFactory problems, IStringLocalizer<ProblemText> text) : IAlwaysRunResultFilter
{
    /// <summary>The ProblemDetails extension that names this refusal, and its value (docs/protocol.md).</summary>
    public const string CodeExtension = "code";

    public const string Code = "antiforgery";

    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is IAntiforgeryValidationFailedResult)
        {
            var problem = problems.CreateProblemDetails(
                context.HttpContext,
                StatusCodes.Status400BadRequest,
                title: text["FormRejectedTitle"],
                detail: text["FormRejectedDetail"]);
            problem.Extensions[CodeExtension] = Code;
            context.Result = new ObjectResult(problem) { StatusCode = problem.Status };
        }
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
