namespace SseChat.Web.Data;

/// <summary>Who did what in the admin area, and when.</summary>
public class AuditEntry
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    public required string Actor { get; set; }

    public AuditAction Action { get; set; }

    /// <summary>What the action was about, e.g. a room slug or "general#42" for a message.</summary>
    public string Target { get; set; } = "";

    /// <summary>
    /// The action's datum, without words: the client address of a sign-in (empty when unknown), the room's name when
    /// created or edited, the number of events of a deleted room, the author of a removed message. The audit page
    /// words it in the reader's language.
    /// </summary>
    public string Detail { get; set; } = "";
}

public enum AuditAction
{
    SignedIn = 1,
    SignInFailed = 2,
    SignedOut = 3,
    PasswordChanged = 4,
    RoomCreated = 10,
    RoomEdited = 11,
    RoomArchived = 12,
    RoomUnarchived = 13,
    RoomDeleted = 14,
    MessageRemoved = 20,
}
