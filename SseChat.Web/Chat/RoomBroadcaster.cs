using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SseChat.Web.Operations;

namespace SseChat.Web.Chat;

/// <summary>
/// The in-process fan-out: every open stream of a room holds a <see cref="RoomSubscription"/> here, and a
/// published frame is offered to each of them without waiting on any.
/// </summary>
public sealed class RoomBroadcaster(IOptions<ChatOptions> options, ChatMetrics metrics) : IRoomEventPublisher
{
    private readonly ConcurrentDictionary<int, RoomSubscribers> rooms = new();
    private readonly int bufferSize = options.Value.SubscriberBufferSize;

    public RoomSubscription Subscribe(int roomId)
    {
        var subscription = new RoomSubscription(this, roomId, bufferSize);
        rooms.GetOrAdd(roomId, static _ => new RoomSubscribers()).Add(subscription);
        return subscription;
    }

    public void Publish(int roomId, SseFrame frame)
    {
        if (rooms.TryGetValue(roomId, out var subscribers))
        {
            foreach (var subscriber in subscribers.Current)
            {
                subscriber.Offer(frame);
            }
        }
    }

    /// <summary>Queues a comment frame on every stream; a stuck stream's full buffer gets it dropped, too.</summary>
    public void Heartbeat()
    {
        foreach (var subscribers in rooms.Values)
        {
            foreach (var subscriber in subscribers.Current)
            {
                subscriber.Offer(SseFrames.Heartbeat);
            }
        }
    }

    public int CountSubscribers(int roomId) =>
        rooms.TryGetValue(roomId, out var subscribers) ? subscribers.Current.Length : 0;

    /// <summary>Counts a subscriber dropped for a full queue; called once per drop, when the drop is decided.</summary>
    internal void CountDropped() => metrics.SubscriberDropped();

    internal void Remove(RoomSubscription subscription)
    {
        if (rooms.TryGetValue(subscription.RoomId, out var subscribers))
        {
            subscribers.Remove(subscription);
        }
    }

    /// <summary>
    /// One room's subscribers as a copy-on-write array: Publish iterates a stable snapshot with no lock at all,
    /// while joining and leaving swap in a new array under a lock held only for the copy. A lock rather than a
    /// concurrent collection because fan-out, the hot path, must iterate at full speed while connections churn.
    /// </summary>
    private sealed class RoomSubscribers
    {
        private readonly Lock gate = new();
        private volatile RoomSubscription[] current = [];

        public RoomSubscription[] Current => current;

        public void Add(RoomSubscription subscription)
        {
            lock (gate)
            {
                current = [.. current, subscription];
            }
        }

        public void Remove(RoomSubscription subscription)
        {
            lock (gate)
            {
                current = Array.FindAll(current, s => s != subscription);
            }
        }
    }
}
