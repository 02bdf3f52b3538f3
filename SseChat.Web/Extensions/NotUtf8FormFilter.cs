using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.Localization;
using SseChat.Web.Localization;

namespace SseChat.Web.Extensions;

/// <summary>
/// Reads a urlencoded form once more, raw, for percent-encoded bytes that are not UTF-8, which the form reader lets
/// through as literal "%ff" (<see cref="PercentEncodedUtf8"/>): refused with a validation problem that names the
/// field, like the raw bytes that are not UTF-8 (WellFormedTextAttribute). A resource filter, so that it runs after
/// the antiforgery check and a forged post is never read twice.
/// </summary>
internal sealed class NotUtf8FormFilter(ProblemDetailsFactory problems, IStringLocalizer<ValidationMessages> text)
    : IAsyncResourceFilter
{
    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        if (await FirstFieldNotUtf8Async(context.HttpContext.Request, context.HttpContext.RequestAborted) is { } field)
        {
            context.ModelState.AddModelError(field, text["NotUtf8", field]);
            var problem = problems.CreateValidationProblemDetails(context.HttpContext, context.ModelState);
            context.Result = new ObjectResult(problem) { StatusCode = problem.Status };
            return;
        }
        await next();
    }

    private static async Task<string?> FirstFieldNotUtf8Async(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.Body.CanSeek
            || request.ContentType?.StartsWith(PercentEncodedUtf8.UrlEncoded, StringComparison.OrdinalIgnoreCase) != true)
        {
            return null; // multipart has no percent-encoding; its stray bytes become U+FFFD, which validation refuses
        }
        request.Body.Position = 0;
        using var raw = new MemoryStream();
        await request.Body.CopyToAsync(raw, cancellationToken);
        request.Body.Position = 0;
        return PercentEncodedUtf8.FirstFieldNotUtf8(raw.GetBuffer().AsSpan(0, (int)raw.Length));
    }
}
