using SseChat.Web.Chat;
using SseChat.Web.Data;

namespace SseChat.Web.Models.Admin;

public sealed record EditRoomViewModel(RoomSummary Room, RoomForm Form);

public sealed record DeleteRoomViewModel(RoomSummary Room, DeleteRoomForm Form);

/// <param name="OlderBefore">The cursor of the next, older page; null on the last page.</param>
public sealed record ModerationViewModel(
    RoomSummary Room, IReadOnlyList<RoomEvent> Messages, bool IsNewestPage, long? OlderBefore);

/// <param name="Action">The only action shown, or null for all.</param>
/// <param name="OlderBefore">The cursor of the next, older page; null on the last page.</param>
public sealed record AuditPageViewModel(
    IReadOnlyList<AuditEntry> Entries, AuditAction? Action, bool IsNewestPage, long? OlderBefore);
