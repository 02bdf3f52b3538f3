using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Chat;

namespace SseChat.Web.Models;

/// <summary>
/// Optional query parameters of <c>/stream/{slug}</c> that put the listener on the room's online list. Both or
/// neither: a stream without them is a silent reader.
/// </summary>
public sealed class StreamPresenceQuery : IValidatableObject
{
    [FromQuery(Name = "name")]
    [StringLength(MessageLimits.AuthorMaxLength, ErrorMessage = "name can be at most {1} characters.")]
    [NoControlCharacters]
    [WellFormedText]
    public string? Name { get; set => field = string.IsNullOrWhiteSpace(value) ? null : value.Trim(); }

    [FromQuery(Name = "client")]
    [StringLength(MessageLimits.ClientMessageIdMaxLength, ErrorMessage = "client can be at most {1} characters.")]
    [RegularExpression(@"^[\x21-\x7E]*$", ErrorMessage = "client may hold only visible ASCII characters.")]
    public string? Client { get; set => field = string.IsNullOrWhiteSpace(value) ? null : value.Trim(); }

    public StreamVisitor? Visitor => Name is not null && Client is not null ? new StreamVisitor(Client, Name) : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if ((Name is null) != (Client is null))
        {
            var missing = Name is null ? "name" : "client";
            yield return new ValidationResult($"{missing} is required when {(Name is null ? "client" : "name")} is given.", [missing]);
        }
    }
}
