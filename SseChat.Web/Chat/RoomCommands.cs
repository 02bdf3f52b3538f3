namespace SseChat.Web.Chat;

/// <summary>
/// A change to a room that the single writer applies inside its transaction. Everything that adds to a room's
/// sequence is one of these, so seq assignment stays in one place.
/// </summary>
public abstract record RoomCommand(int RoomId);

/// <summary>A validated message from a poster.</summary>
/// <param name="AuthorIsAdmin">The poster is a signed-in administrator: the message carries the admin mark.</param>
public sealed record PostMessage(int RoomId, string Author, string Text, string? ClientMessageId, bool AuthorIsAdmin = false)
    : RoomCommand(RoomId);

/// <summary>A moderator removes a message: its text is erased and a <c>delete</c> event joins the sequence.</summary>
public sealed record RemoveMessage(int RoomId, long MessageSeq, string RemovedBy) : RoomCommand(RoomId);

/// <summary>
/// An administrator edits, archives or unarchives a room: a <c>room</c> event joins the sequence. Only what is
/// set changes, applied to the room as the writer reads it, so an edit and an archive racing each other both hold.
/// </summary>
public sealed record UpdateRoom(int RoomId, string ChangedBy, string? Name = null, string? Topic = null, bool? Archived = null)
    : RoomCommand(RoomId);

/// <summary>An administrator deletes a room for good; its open streams are told and closed.</summary>
public sealed record DeleteRoom(int RoomId, string DeletedBy) : RoomCommand(RoomId);

public enum RoomCommandStatus
{
    /// <summary>Done, and committed.</summary>
    Applied,

    /// <summary>Nothing to do: the same post was stored before, the message is already removed, the room unchanged.</summary>
    AlreadyApplied,

    RoomNotFound,

    /// <summary>The room is archived: it takes no new messages.</summary>
    RoomArchived,

    MessageNotFound,
}

/// <param name="Message">For a post, the stored message (also when an earlier post with its clientMessageId stored it).</param>
public sealed record RoomCommandResult(RoomCommandStatus Status, ChatMessage? Message = null);

/// <summary>Why a command was not stored; the reader's words for it are chosen where the answer is written.</summary>
public enum NotStoredReason
{
    ShuttingDown,
    StoreFailed,
}

/// <summary>The command was not stored: the database failed or the server is stopping. Safe to retry.</summary>
public sealed class MessageNotStoredException(NotStoredReason reason, Exception innerException)
    : Exception(reason == NotStoredReason.ShuttingDown ? "The server is shutting down." : "The change could not be stored.", innerException)
{
    public NotStoredReason Reason { get; } = reason;
}
