using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using SseChat.Web.Localization;

namespace SseChat.Web.Models;

/// <summary>
/// Rejects Unicode format characters (category Cf) in a name: zero-width spaces and joiners, soft hyphens, and the
/// bidirectional marks, embeddings, overrides and isolates. None of them shows, so "admin\u200b" looks like "admin",
/// and U+202E turns the text around the name backwards. Names only: message text may need a joiner (emoji, Persian).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NoFormatCharactersAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text)
        {
            return ValidationResult.Success;
        }
        // Runes, not chars: the tag characters (U+E0000 block) are format characters beyond the BMP.
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format)
            {
                return new ValidationResult(validationContext.Localized(
                    "FormatCharacter", validationContext.DisplayName, rune.Value.ToString("X4", CultureInfo.InvariantCulture)));
            }
        }
        return ValidationResult.Success;
    }
}
