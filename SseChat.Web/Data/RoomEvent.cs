namespace SseChat.Web.Data;

/// <summary>
/// One persisted event in a room's sequence. Every kind of event that a reconnecting client must see on resume
/// (messages, removals, room changes) lives in this one table so that seq numbers stay contiguous; the columns a
/// kind does not use stay null.
/// </summary>
public class RoomEvent
{
    public int RoomId { get; set; }

    /// <summary>The room's sequence number: 1, 2, 3, ... with no holes. Also the SSE <c>id:</c>.</summary>
    public long Seq { get; set; }

    public RoomEventKind Kind { get; set; }

    public DateTime CreatedAt { get; set; }

    // Message

    public string? Author { get; set; }

    /// <summary>Posted by an administrator signed into the admin area (taken from the auth cookie, never the form).</summary>
    public bool AuthorIsAdmin { get; set; }

    /// <summary>The message text; erased (null) once a moderator removes the message.</summary>
    public string? Text { get; set; }

    /// <summary>Idempotency key made by the posting page, unique per room when present.</summary>
    public string? ClientMessageId { get; set; }

    public DateTime? RemovedAt { get; set; }

    public string? RemovedBy { get; set; }

    // Delete: which message was removed.

    public long? MessageSeq { get; set; }

    // Room: the room's state after the change.

    public string? RoomName { get; set; }

    public string? RoomTopic { get; set; }

    public bool? RoomArchived { get; set; }
}

public enum RoomEventKind
{
    Message = 1,
    Delete = 2,
    Room = 3,
}
