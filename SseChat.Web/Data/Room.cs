namespace SseChat.Web.Data;

/// <summary>A chat room, addressed in URLs by its <see cref="Slug"/>.</summary>
public class Room
{
    public const int SlugMaxLength = 40;
    public const int NameMaxLength = 80;
    public const int TopicMaxLength = 200;
    public const string SlugPattern = @"^[a-z0-9-]{1,40}\z";
    public const string GeneralSlug = "general";

    public int Id { get; set; }

    public required string Slug { get; set; }

    public required string Name { get; set; }

    public string Topic { get; set; } = "";

    /// <summary>An archived room is read-only: its history stays visible, posting is refused with 409.</summary>
    public bool IsArchived { get; set; }

    /// <summary>
    /// The seq of the room's newest persisted event (0 when it has none). A writer bumps it under the room's row lock
    /// in the same transaction that inserts the event, which is what keeps the per-room sequence free of holes.
    /// </summary>
    public long LastSeq { get; set; }

    public DateTime CreatedAt { get; set; }
}
