using SseChat.Web.Chat;

namespace SseChat.Web.Models;

public sealed record RoomPageViewModel(
    RoomSummary Room, IReadOnlyList<ChatMessage> Messages, bool HasOlder, int HistoryPageSize)
{
    /// <summary>The seq the page's stream resumes after: the room's last event when the page was rendered.</summary>
    public long StreamAfter => Room.LastSeq;

    /// <summary>
    /// The history the page shows (<see cref="HistoryVersions"/>): its stream address carries it, so that the stream
    /// tells the page to start over once the database or the room behind the slug is another one.
    /// </summary>
    public required string HistoryVersion { get; init; }

    /// <summary>How often the page may send a typing notice: half the time a notice keeps "is typing…" up.</summary>
    public int TypingPingMs { get; init; }

    /// <summary>The most messages the page keeps while its reader is at the bottom (Chat:RoomPageMessageCap).</summary>
    public int MessageCap { get; init; }
}
