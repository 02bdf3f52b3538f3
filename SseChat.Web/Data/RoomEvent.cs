namespace SseChat.Web.Data;

/// <summary>
/// One persisted event in a room's sequence. Every kind of event that a reconnecting client must see on resume
/// (messages now; removals and room changes later) lives in this one table so that seq numbers stay contiguous.
/// </summary>
public class RoomEvent
{
    public int RoomId { get; set; }

    /// <summary>The room's sequence number: 1, 2, 3, ... with no holes. Also the SSE <c>id:</c>.</summary>
    public long Seq { get; set; }

    public RoomEventKind Kind { get; set; }

    public DateTime CreatedAt { get; set; }

    public string? Author { get; set; }

    public string? Text { get; set; }

    /// <summary>Idempotency key made by the posting page, unique per room when present.</summary>
    public string? ClientMessageId { get; set; }
}

public enum RoomEventKind
{
    Message = 1,
}
