using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace SseChat.Web.Localization;

/// <summary>An HTTP status's title ("Not Found") in the reader's language, for error pages and ProblemDetails.</summary>
public sealed class StatusTitles(IStringLocalizer<ProblemText> text)
{
    /// <summary>The title validation problems are born with; swapped for the reader's language.</summary>
    private static readonly string? DefaultValidationTitle = new HttpValidationProblemDetails().Title;

    public string For(int status)
    {
        var title = text[$"Status{status}"];
        return title.ResourceNotFound ? ReasonPhrases.GetReasonPhrase(status) : title.Value;
    }

    /// <summary>
    /// Replaces a title the framework filled in (the reason phrase, or MVC's client error mapping, which words 500 as
    /// "An error occurred while processing your request.") with the localized one; a title our own code chose is
    /// already in the reader's language and stays, as does a framework title we have no translation for.
    /// </summary>
    internal string? Localize(ProblemDetails problem, ApiBehaviorOptions api)
    {
        if (problem is HttpValidationProblemDetails && problem.Title == DefaultValidationTitle)
        {
            return text["ValidationFailed"];
        }
        if (problem.Status is not { } status)
        {
            return problem.Title;
        }
        if (problem.Title is null || problem.Title == ReasonPhrases.GetReasonPhrase(status))
        {
            return For(status);
        }
        if (api.ClientErrorMapping.TryGetValue(status, out var mapped) && problem.Title == mapped.Title)
        {
            var title = text[$"ClientError{status}"];
            return title.ResourceNotFound ? problem.Title : title.Value;
        }
        return problem.Title;
    }
}

/// <summary>Every ProblemDetails (from MVC's factory or IProblemDetailsService) gets its title localized.</summary>
internal sealed class LocalizedProblemTitles(StatusTitles titles, IOptions<ApiBehaviorOptions> api)
    : IConfigureOptions<ProblemDetailsOptions>
{
    public void Configure(ProblemDetailsOptions options)
    {
        var earlier = options.CustomizeProblemDetails;
        options.CustomizeProblemDetails = context =>
        {
            earlier?.Invoke(context);
            context.ProblemDetails.Title = titles.Localize(context.ProblemDetails, api.Value);
        };
    }
}
