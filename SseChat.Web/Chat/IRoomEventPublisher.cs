namespace SseChat.Web.Chat;

/// <summary>
/// Where the writer hands committed events, in commit order. In-process today (<see cref="RoomBroadcaster"/>);
/// a multi-node backplane can implement this and feed each node's broadcaster without touching controllers.
/// </summary>
public interface IRoomEventPublisher
{
    void Publish(int roomId, SseFrame frame);
}
