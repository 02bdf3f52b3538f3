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
/// A urlencoded form is then read once more, raw, for percent-encoded bytes that are not UTF-8, which the form
/// reader lets through as literal "%ff" (<see cref="PercentEncodedUtf8"/>): refused with a validation problem that
/// names the field, like the raw bytes that are not UTF-8 (WellFormedTextAttribute).
/// </summary>
internal sealed class UnreadableFormFilter(
    ProblemDetailsFactory problems,
    IStringLocalizer<ProblemText> text,
    IStringLocalizer<ValidationMessages> validationText)
    : IAsyncAuthorizationFilter, IOrderedFilter
{
    public int Order => 999;

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
                return;
            }
            catch (Exception exception) when (exception is InvalidDataException or IOException)
            {
                context.Result = Refuse(context.HttpContext, StatusCodes.Status400BadRequest);
                return;
            }
            if (await FirstFieldNotUtf8Async(request, context.HttpContext.RequestAborted) is { } field)
            {
                context.ModelState.AddModelError(field, validationText["NotUtf8", field]);
                var problem = problems.CreateValidationProblemDetails(context.HttpContext, context.ModelState);
                context.Result = new ObjectResult(problem) { StatusCode = problem.Status };
            }
        }
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
