using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Chat;
using SseChat.Web.Localization;

namespace SseChat.Web.Models;

/// <summary>
/// Optional query parameters of <c>/stream/{slug}</c> that put the listener on the room's online list. Both or
/// neither: a stream without them is a silent reader.
/// </summary>
public sealed class StreamPresenceQuery : IValidatableObject
{
    [FromQuery(Name = "name")]
    [StringLength(MessageLimits.AuthorMaxLength, ErrorMessage = "PresenceNameTooLong")]
    [Display(Name = "PresenceName")]
    [NoControlCharacters]
    [NoFormatCharacters]
    [WellFormedText]
    public string? Name { get; set => field = string.IsNullOrWhiteSpace(value) ? null : value.Trim(); }

    [FromQuery(Name = "client")]
    [StringLength(MessageLimits.ClientMessageIdMaxLength, ErrorMessage = "PresenceClientTooLong")]
    [RegularExpression(@"^[\x21-\x7E]*$", ErrorMessage = "PresenceClientNotAscii")]
    public string? Client { get; set => field = string.IsNullOrWhiteSpace(value) ? null : value.Trim(); }

    public StreamVisitor? Visitor => Name is not null && Client is not null ? new StreamVisitor(Client, Name) : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if ((Name is null) != (Client is null))
        {
            var (missing, given) = Name is null ? ("name", "client") : ("client", "name");
            yield return new ValidationResult(validationContext.Localized("PresenceHalfGiven", missing, given), [missing]);
        }
    }
}
