using System.ComponentModel.DataAnnotations;
using SseChat.Web.Chat;
using SseChat.Web.Localization;

namespace SseChat.Web.Models;

/// <summary>
/// Text is judged after trimming (1 to 4000 characters) but stored as sent, so it also has a ceiling as sent
/// (<see cref="MessageLimits.TextMaxStoredLength"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MessageTextAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text)
        {
            return ValidationResult.Success; // [Required] speaks for missing or blank text
        }
        return text.Trim().Length > MessageLimits.TextMaxLength || text.Length > MessageLimits.TextMaxStoredLength
            ? new ValidationResult(validationContext.Localized("MessageTooLong", MessageLimits.TextMaxLength))
            : ValidationResult.Success;
    }
}
