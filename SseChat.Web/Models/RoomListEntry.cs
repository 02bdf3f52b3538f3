namespace SseChat.Web.Models;

/// <summary>
/// A room as <c>GET /rooms</c> gives it to an open room list: enough to refresh its unread marker and online
/// figure. No database id: the slug is the room's public name.
/// </summary>
public sealed record RoomListEntry(string Slug, string Name, string Topic, bool Archived, long LastSeq, int Online);
