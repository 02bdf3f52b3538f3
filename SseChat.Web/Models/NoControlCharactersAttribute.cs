using System.ComponentModel.DataAnnotations;
using System.Globalization;
using SseChat.Web.Localization;

namespace SseChat.Web.Models;

/// <summary>
/// Rejects NUL and other control characters, which no keyboard types and which break logs and terminals.
/// Rejected rather than stripped, so what is stored is exactly what was sent. Line breaks and tabs can be allowed.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NoControlCharactersAttribute : ValidationAttribute
{
    public bool AllowLineBreaks { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text)
        {
            return ValidationResult.Success;
        }
        foreach (var c in text)
        {
            if (char.IsControl(c) && !(AllowLineBreaks && c is '\n' or '\r' or '\t'))
            {
                return new ValidationResult(validationContext.Localized(
                    "ControlCharacter", validationContext.DisplayName, ((int)c).ToString("X4", CultureInfo.InvariantCulture)));
            }
        }
        return ValidationResult.Success;
    }
}
