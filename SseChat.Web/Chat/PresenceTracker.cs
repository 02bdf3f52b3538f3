using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace SseChat.Web.Chat;

/// <summary>
/// Who is online in each room of this node, from the named streams that are open, and the ephemeral
/// <c>presence</c> and <c>typing</c> frames that tell the room about it. Nothing here is stored or sequenced: the
/// frames carry no id, so they never move a client's Last-Event-ID and never replay.
/// </summary>
/// <remarks>
/// A visitor is one (browser, name) pair; all its streams count as one. When its last stream closes it stays
/// online for <see cref="ChatOptions.PresenceLeaveGrace"/>, so a reload or a tab taking over another tab's stream
/// announces nothing. A change is encoded once and published to the room's streams like any other frame.
/// </remarks>
public sealed class PresenceTracker(RoomBroadcaster broadcaster, IOptions<ChatOptions> options, TimeProvider clock)
{
    private static readonly SseFrame NobodyOnline = SseFrames.Presence([], 0);

    private readonly ConcurrentDictionary<int, RoomPresence> rooms = new();
    private readonly RoomBroadcaster broadcaster = broadcaster;
    private readonly TimeProvider clock = clock;
    private readonly ChatOptions settings = options.Value;

    /// <summary>Counts a stream of <paramref name="name"/> from browser <paramref name="clientId"/> until disposed.</summary>
    public IDisposable Join(int roomId, string clientId, string name)
    {
        var room = rooms.GetOrAdd(roomId, static (id, tracker) => new RoomPresence(tracker, id), this);
        return room.Join(new VisitorKey(clientId, name));
    }

    /// <summary>The room's current presence frame, for a stream that just caught up.</summary>
    public SseFrame Snapshot(int roomId) => rooms.TryGetValue(roomId, out var room) ? room.Frame : NobodyOnline;

    /// <summary>How many different names are online in the room.</summary>
    public int CountOnline(int roomId) => rooms.TryGetValue(roomId, out var room) ? room.Count : 0;

    /// <summary>Tells the room's streams that <paramref name="author"/> is typing.</summary>
    public void AnnounceTyping(int roomId, string author) =>
        broadcaster.Publish(roomId, SseFrames.Typing(author, settings.TypingExpiry));

    private readonly record struct VisitorKey(string ClientId, string Name);

    /// <summary>
    /// One room's visitors. Every change happens under one lock, and the frame it produces is published under it
    /// too, so streams receive snapshots in the order they were taken and the last one is always the current one.
    /// Rooms are never taken out of the tracker: an idle one is an empty dictionary, and there are few rooms.
    /// </summary>
    private sealed class RoomPresence(PresenceTracker tracker, int roomId)
    {
        private readonly Lock gate = new();
        private readonly Dictionary<VisitorKey, Visitor> visitors = [];
        private string[] names = [];
        private volatile SseFrame frame = NobodyOnline;

        public SseFrame Frame => frame;

        public int Count => Volatile.Read(ref names).Length;

        public IDisposable Join(VisitorKey key)
        {
            lock (gate)
            {
                if (visitors.TryGetValue(key, out var visitor))
                {
                    visitor.CancelLeave(); // back within the grace period: nothing to announce
                }
                else
                {
                    visitor = new Visitor();
                    visitors.Add(key, visitor);
                    Announce();
                }
                visitor.Streams++;
                return new Lease(this, key);
            }
        }

        private void Leave(VisitorKey key)
        {
            lock (gate)
            {
                var visitor = visitors[key];
                if (--visitor.Streams > 0)
                {
                    return;
                }
                var grace = tracker.settings.PresenceLeaveGrace;
                if (grace <= TimeSpan.Zero)
                {
                    Remove(key, visitor);
                    return;
                }
                var leave = ++visitor.Leaves;
                visitor.LeaveTimer = tracker.clock.CreateTimer(
                    static state =>
                    {
                        var (room, leavingKey, leaving) = ((RoomPresence, VisitorKey, int))state!;
                        room.LeaveAfterGrace(leavingKey, leaving);
                    },
                    (this, key, leave),
                    grace,
                    Timeout.InfiniteTimeSpan);
            }
        }

        private void LeaveAfterGrace(VisitorKey key, int leave)
        {
            lock (gate)
            {
                // A stream that came back in the meantime cancelled the timer, but its tick may already have been
                // queued: only the timer of the visitor's latest leave counts.
                if (visitors.TryGetValue(key, out var visitor) && visitor.Streams == 0 && visitor.Leaves == leave)
                {
                    Remove(key, visitor);
                }
            }
        }

        private void Remove(VisitorKey key, Visitor visitor)
        {
            visitor.CancelLeave();
            visitors.Remove(key);
            Announce();
        }

        // Called under the lock after a visitor joined or left. Two browsers may share a name, so the list
        // changes only when a name appears or disappears altogether.
        private void Announce()
        {
            var current = visitors.Keys.Select(k => k.Name).Distinct(StringComparer.Ordinal)
                .Order(StringComparer.OrdinalIgnoreCase).ThenBy(n => n, StringComparer.Ordinal).ToArray();
            if (current.AsSpan().SequenceEqual(names))
            {
                return;
            }
            Volatile.Write(ref names, current);
            frame = SseFrames.Presence(current.Take(tracker.settings.PresenceMaxNames).ToArray(), current.Length);
            tracker.broadcaster.Publish(roomId, frame);
        }

        private sealed class Visitor
        {
            public int Streams { get; set; }

            /// <summary>How often the visitor's last stream closed: tells the current grace timer from stale ones.</summary>
            public int Leaves { get; set; }

            public ITimer? LeaveTimer { get; set; }

            public void CancelLeave()
            {
                LeaveTimer?.Dispose();
                LeaveTimer = null;
            }
        }

        private sealed class Lease(RoomPresence room, VisitorKey key) : IDisposable
        {
            private int disposed;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref disposed, 1) == 0)
                {
                    room.Leave(key);
                }
            }
        }
    }
}
