using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using SseChat.Web.Localization;

namespace SseChat.Web.Models;

/// <summary>
/// Rejects characters that draw nothing in a name: Unicode format characters (category Cf: zero-width spaces and
/// joiners, soft hyphens, the bidirectional marks, embeddings, overrides and isolates) and the other
/// Default_Ignorable_Code_Points (combining grapheme joiner, variation selectors, Hangul fillers), plus the braille
/// blank. None of them shows, so "admin\u200b" or "admin\ufe0f" looks like "admin", and U+202E turns the text around
/// the name backwards. Names only: message text may need a joiner or a variation selector (emoji, Persian).
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
            if (IsInvisible(rune))
            {
                return new ValidationResult(validationContext.Localized(
                    "FormatCharacter", validationContext.DisplayName, rune.Value.ToString("X4", CultureInfo.InvariantCulture)));
            }
        }
        return ValidationResult.Success;
    }

    /// <summary>
    /// Category Cf, or one of the Default_Ignorable_Code_Points of other categories (Unicode's DerivedCoreProperties;
    /// .NET exposes no such property, so the few ranges are listed), or the braille blank U+2800.
    /// </summary>
    public static bool IsInvisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format
        || rune.Value is 0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or (>= 0x180B and <= 0x180F) or 0x2800
            or 0x3164 or (>= 0xFE00 and <= 0xFE0F) or 0xFFA0 or (>= 0xFFF0 and <= 0xFFF8) or (>= 0x1BCA0 and <= 0x1BCA3)
            or (>= 0x1D173 and <= 0x1D17A) or (>= 0xE0000 and <= 0xE0FFF);
}
