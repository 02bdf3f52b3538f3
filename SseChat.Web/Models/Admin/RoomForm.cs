using System.ComponentModel.DataAnnotations;
using SseChat.Web.Data;

namespace SseChat.Web.Models.Admin;

/// <summary>Create and edit form of a room. The slug is only set on creation; editing keeps it.</summary>
public sealed class RoomForm
{
    [Required(ErrorMessage = "Give the room a name.")]
    [StringLength(Room.NameMaxLength, ErrorMessage = "A name can be at most {1} characters.")]
    [NoControlCharacters]
    public string Name { get; set => field = value?.Trim() ?? ""; } = "";

    /// <summary>Derived from the name when left empty.</summary>
    [RegularExpression(Room.SlugPattern, ErrorMessage = "Use 1 to 40 lower-case letters, digits and dashes (a-z, 0-9, -).")]
    public string? Slug { get; set => field = string.IsNullOrWhiteSpace(value) ? null : value.Trim(); }

    [StringLength(Room.TopicMaxLength, ErrorMessage = "A topic can be at most {1} characters.")]
    [NoControlCharacters]
    public string Topic { get; set => field = value?.Trim() ?? ""; } = "";
}
