using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Localization;

namespace SseChat.Web.Models;

/// <summary>The navbar's language switcher: which language, and the page to return to.</summary>
public sealed class LanguageForm : IValidatableObject
{
    [FromForm(Name = "culture")]
    [Required(ErrorMessage = "CultureRequired")]
    public string Culture { get; set; } = "";

    [FromForm(Name = "returnUrl")]
    public string? ReturnUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Culture.Length > 0 && SupportedCultures.Find(Culture) is null)
        {
            yield return new ValidationResult(
                validationContext.Localized("CultureUnsupported", string.Join(", ", SupportedCultures.All)), ["culture"]);
        }
    }
}
