using SseChat.Web.Data;

namespace SseChat.Web.Chat;

internal static class RoomEventExtensions
{
    public static ChatMessage ToChatMessage(this RoomEvent roomEvent) =>
        new(roomEvent.Seq, roomEvent.Author ?? "", roomEvent.Text ?? "", roomEvent.CreatedAt, roomEvent.RemovedAt is not null,
            roomEvent.AuthorIsAdmin);
}
