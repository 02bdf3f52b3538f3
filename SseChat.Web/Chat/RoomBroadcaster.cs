using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SseChat.Web.Operations;

namespace SseChat.Web.Chat;

/// <summary>
/// The in-process fan-out: every open stream of a room holds a <see cref="RoomSubscription"/> here, and a
/// published frame is offered to each of them without waiting on any. It also keeps each room's most recent event
/// frames (<see cref="ChatOptions.ReplayCacheSize"/>), so that catching up serves those same bytes.
/// </summary>
public sealed class RoomBroadcaster(IOptions<ChatOptions> options, ChatMetrics metrics) : IRoomEventPublisher
{
    private readonly ConcurrentDictionary<int, RoomSubscribers> rooms = new();
    private readonly int bufferSize = options.Value.SubscriberBufferSize;
    private readonly int replayCacheSize = options.Value.ReplayCacheSize;

    public RoomSubscription Subscribe(int roomId)
    {
        var subscription = new RoomSubscription(this, roomId, bufferSize);
        RoomOf(roomId).Add(subscription);
        return subscription;
    }

    public void Publish(int roomId, SseFrame frame)
    {
        var room = RoomOf(roomId);
        // Kept before it is offered: a stream that subscribes meanwhile finds it in one place or both, never neither.
        if (frame.EndsStream)
        {
            room.Recent?.Clear();
        }
        else
        {
            room.Recent?.Add(frame);
        }
        room.Offer(frame);
    }

    /// <summary>
    /// The room's kept frames after <paramref name="afterSeq"/>, when they are all kept and reach at least
    /// <paramref name="throughSeq"/>; false (and nothing added) when the database must be read instead.
    /// </summary>
    public bool TryGetRecent(int roomId, long afterSeq, long throughSeq, List<SseFrame> frames) =>
        rooms.TryGetValue(roomId, out var room) && room.Recent is { } recent && recent.TryCopyAfter(afterSeq, throughSeq, frames);

    /// <summary>Lets the room's kept frames go: the next replay reads the database, which holds everything.</summary>
    public void ForgetRecent(int roomId)
    {
        if (rooms.TryGetValue(roomId, out var room))
        {
            room.Recent?.Clear();
        }
    }

    /// <summary>Queues a comment frame on every stream; a stuck stream's full buffer gets it dropped, too.</summary>
    public void Heartbeat()
    {
        foreach (var subscribers in rooms.Values)
        {
            subscribers.Offer(SseFrames.Heartbeat);
        }
    }

    public int CountSubscribers(int roomId) =>
        rooms.TryGetValue(roomId, out var subscribers) ? subscribers.Count : 0;

    /// <summary>Counts a subscriber dropped for a full queue; called once per drop, when the drop is decided.</summary>
    internal void CountDropped() => metrics.SubscriberDropped();

    private RoomSubscribers RoomOf(int roomId) =>
        rooms.GetOrAdd(roomId, static (_, size) => new RoomSubscribers(size > 0 ? new RecentFrames(size) : null), replayCacheSize);

    internal void Remove(RoomSubscription subscription)
    {
        if (rooms.TryGetValue(subscription.RoomId, out var subscribers))
        {
            subscribers.Remove(subscription);
        }
    }

    /// <summary>
    /// One room's subscribers in an array of slots that Publish walks with no lock at all. Joining takes a free slot
    /// (or appends, doubling the array now and then) and leaving empties one, both under a lock held for O(1) work:
    /// a copy-on-write array would copy all 19,000 entries, a large-object-heap array, on every join of a connect
    /// storm. A lock rather than a concurrent collection because fan-out, the hot path, must iterate a plain array
    /// at full speed while connections churn.
    /// </summary>
    private sealed class RoomSubscribers(RecentFrames? recent)
    {
        private readonly Lock gate = new();
        private readonly Stack<int> freeSlots = new();
        private volatile RoomSubscription?[] slots = new RoomSubscription?[16];
        private int used; // slots ever handed out: every slot at or above it is empty
        private int count;

        public int Count => Volatile.Read(ref count);

        public RecentFrames? Recent { get; } = recent;

        public void Add(RoomSubscription subscription)
        {
            lock (gate)
            {
                if (!freeSlots.TryPop(out var slot))
                {
                    slot = used;
                    Volatile.Write(ref used, slot + 1);
                    if (slot == slots.Length)
                    {
                        var grown = new RoomSubscription?[slots.Length * 2];
                        Array.Copy(slots, grown, slots.Length);
                        slots = grown;
                    }
                }
                subscription.Slot = slot;
                Volatile.Write(ref slots[slot], subscription);
                count++;
            }
        }

        public void Remove(RoomSubscription subscription)
        {
            lock (gate)
            {
                var slot = subscription.Slot;
                if (slot >= 0 && slots[slot] == subscription)
                {
                    Volatile.Write(ref slots[slot], null);
                    freeSlots.Push(slot);
                    subscription.Slot = -1;
                    count--;
                }
            }
        }

        public void Offer(SseFrame frame)
        {
            var current = slots;
            var end = Math.Min(Volatile.Read(ref used), current.Length);
            for (var i = 0; i < end; i++)
            {
                Volatile.Read(ref current[i])?.Offer(frame);
            }
        }
    }
}
