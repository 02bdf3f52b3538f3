namespace SseChat.Web.Backplane;

/// <summary>
/// Where a node rings the other nodes' doorbells after a commit: "room r now holds events up to seq s" or "room r is
/// gone". Called from the writer's loop, so it must never wait: an implementation only notes the notice and sends it
/// later, from its own loop.
/// </summary>
public interface IRoomNotices
{
    void Committed(int roomId, long seq);

    void Deleted(int roomId);
}

/// <summary>One node: nobody else to tell.</summary>
internal sealed class NoRoomNotices : IRoomNotices
{
    public void Committed(int roomId, long seq)
    {
    }

    public void Deleted(int roomId)
    {
    }
}
