namespace SseChat.Web.Chat;

/// <summary>
/// The in-process fan-out: every open stream of a room holds a <see cref="RoomSubscription"/> here, and a
/// published frame is offered to each of them without waiting on any.
/// </summary>
public sealed class RoomBroadcaster(Microsoft.Extensions.Options.IOptions<ChatOptions> options) : IRoomEventPublisher
{
    private static readonly RoomSubscription[] NoSubscribers = [];

    // Subscribe and unsubscribe swap in a new array under this lock (copy-on-write); Publish and Heartbeat read the
    // current array without it. A lock, not a concurrent collection, because fan-out must iterate a stable
    // snapshot at full speed while thousands of connections come and go.
    private readonly Lock gate = new();
    private Dictionary<int, RoomSubscription[]> subscribersByRoom = [];

    private readonly int bufferSize = options.Value.SubscriberBufferSize;

    public RoomSubscription Subscribe(int roomId)
    {
        var subscription = new RoomSubscription(this, roomId, bufferSize);
        lock (gate)
        {
            var current = subscribersByRoom.GetValueOrDefault(roomId, NoSubscribers);
            SetRoom(roomId, [.. current, subscription]);
        }
        return subscription;
    }

    public void Publish(int roomId, SseFrame frame)
    {
        if (Volatile.Read(ref subscribersByRoom).TryGetValue(roomId, out var subscribers))
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Offer(frame);
            }
        }
    }

    /// <summary>Queues a comment frame on every stream; a stuck stream's full buffer gets it dropped, too.</summary>
    public void Heartbeat()
    {
        foreach (var subscribers in Volatile.Read(ref subscribersByRoom).Values)
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Offer(SseFrames.Heartbeat);
            }
        }
    }

    public int CountSubscribers(int roomId) =>
        Volatile.Read(ref subscribersByRoom).GetValueOrDefault(roomId, NoSubscribers).Length;

    internal void Remove(RoomSubscription subscription)
    {
        lock (gate)
        {
            if (subscribersByRoom.TryGetValue(subscription.RoomId, out var current))
            {
                SetRoom(subscription.RoomId, Array.FindAll(current, s => s != subscription));
            }
        }
    }

    // Called under the lock: the dictionary is copied too, so readers never see one being mutated.
    private void SetRoom(int roomId, RoomSubscription[] subscribers)
    {
        var next = new Dictionary<int, RoomSubscription[]>(subscribersByRoom);
        if (subscribers.Length == 0)
        {
            next.Remove(roomId);
        }
        else
        {
            next[roomId] = subscribers;
        }
        Volatile.Write(ref subscribersByRoom, next);
    }
}
