using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Localization;

/// <summary>How a request's language is chosen (section <c>Languages</c>).</summary>
public sealed class LanguageOptions
{
    public const string SectionName = "Languages";

    /// <summary>
    /// How many Accept-Language entries are tried, in the browser's order, for a supported language: a bound on the
    /// work a long header can cause. ASP.NET Core's own default is 3.
    /// </summary>
    [Range(1, 50)]
    public int AcceptLanguageValuesToTry { get; set; } = 5;
}
