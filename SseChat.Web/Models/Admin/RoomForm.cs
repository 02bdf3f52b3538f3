using System.ComponentModel.DataAnnotations;
using SseChat.Web.Data;

namespace SseChat.Web.Models.Admin;

/// <summary>Create and edit form of a room. The slug is only set on creation; editing keeps it.</summary>
public sealed class RoomForm
{
    [Required(ErrorMessage = "RoomNameRequired")]
    [Display(Name = "RoomName")]
    [StringLength(Room.NameMaxLength, ErrorMessage = "RoomNameTooLong")]
    [NoControlCharacters]
    public string Name { get; set => field = value?.Trim() ?? ""; } = "";

    /// <summary>Derived from the name when left empty.</summary>
    [RegularExpression(Room.SlugPattern, ErrorMessage = "RoomSlugInvalid")]
    [Display(Name = "RoomSlug")]
    public string? Slug { get; set => field = string.IsNullOrWhiteSpace(value) ? null : value.Trim(); }

    [StringLength(Room.TopicMaxLength, ErrorMessage = "RoomTopicTooLong")]
    [Display(Name = "RoomTopic")]
    [NoControlCharacters]
    public string Topic { get; set => field = value?.Trim() ?? ""; } = "";
}
