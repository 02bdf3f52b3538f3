using SseChat.Web.Chat;
using SseChat.Web.Data;

namespace SseChat.Web.Models.Admin;

public sealed record EditRoomViewModel(RoomSummary Room, RoomForm Form);

public sealed record DeleteRoomViewModel(RoomSummary Room, DeleteRoomForm Form);

public sealed record ModerationViewModel(RoomSummary Room, IReadOnlyList<RoomEvent> Messages);
