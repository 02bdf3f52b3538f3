using SseChat.Web.Chat;

namespace SseChat.Web.Models;

/// <summary>A room on the room list, with how many different names are online in it right now.</summary>
public sealed record RoomListItem(RoomSummary Room, int Online);
