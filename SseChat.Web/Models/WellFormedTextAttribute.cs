using System.ComponentModel.DataAnnotations;
using System.Text;
using SseChat.Web.Localization;

namespace SseChat.Web.Models;

/// <summary>
/// Rejects text that did not arrive as valid UTF-8. The form reader turns bytes that are not UTF-8 into U+FFFD (the
/// replacement character) and moves on, so storing the result would store something other than what was sent;
/// rejecting it keeps "stored exactly as sent" true. Unpaired surrogates are refused for the same reason.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WellFormedTextAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is string text)
        {
            // EnumerateRunes yields U+FFFD both for a replacement character and for an unpaired surrogate.
            foreach (var rune in text.EnumerateRunes())
            {
                if (rune == Rune.ReplacementChar)
                {
                    return new ValidationResult(validationContext.Localized("NotUtf8", validationContext.DisplayName));
                }
            }
        }
        return ValidationResult.Success;
    }
}
