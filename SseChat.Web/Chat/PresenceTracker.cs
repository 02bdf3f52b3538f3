using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SseChat.Web.Backplane;

namespace SseChat.Web.Chat;

/// <summary>
/// Who is online in each room of this node, from the named streams that are open, and the ephemeral
/// <c>presence</c> and <c>typing</c> frames that tell the room about it. Nothing here is stored or sequenced: the
/// frames carry no id, so they never move a client's Last-Event-ID and never replay.
/// </summary>
/// <remarks>
/// A visitor is one (browser, name, admin mark) triple; all its streams count as one. An administrator and a visitor
/// who share a name are two entries, the administrator's marked, so the list never vouches for the visitor. When its last stream closes it stays
/// online for <see cref="ChatOptions.PresenceLeaveGrace"/>, so a reload or a tab taking over another tab's stream
/// announces nothing. A change is encoded once and published to the room's streams like any other frame.
/// <para>
/// With a Redis backplane (<paramref name="outbox"/> registered) the list is the fleet's: this node's own entries,
/// which it alone decides, merged with the other nodes' (<see cref="MergeRemote"/>), which
/// <see cref="RedisPresenceSharing"/> reads from Redis. A change to this node's entries is only noted in the outbox,
/// never awaited here; without a backplane the outbox is null and nothing else differs.
/// </para>
/// </remarks>
public sealed class PresenceTracker(
    RoomBroadcaster broadcaster, IOptions<ChatOptions> options, TimeProvider clock, PresenceOutbox? outbox = null)
{
    private static readonly SseFrame NobodyOnline = SseFrames.Presence([], 0);
    private static readonly IComparer<PresenceEntry> ListOrder = Comparer<PresenceEntry>.Create((a, b) =>
    {
        var byName = StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name);
        byName = byName != 0 ? byName : StringComparer.Ordinal.Compare(a.Name, b.Name);
        return byName != 0 ? byName : b.Admin.CompareTo(a.Admin); // the administrator before a namesake
    });

    private readonly ConcurrentDictionary<int, RoomPresence> rooms = new();
    private readonly RoomBroadcaster broadcaster = broadcaster;
    private readonly TimeProvider clock = clock;
    private readonly PresenceOutbox? outbox = outbox;
    private readonly ChatOptions settings = options.Value;

    /// <summary>
    /// Counts a stream of <paramref name="name"/> from browser <paramref name="clientId"/> until disposed, marked
    /// as an administrator's when <paramref name="admin"/>.
    /// </summary>
    public IDisposable Join(int roomId, string clientId, string name, bool admin = false)
    {
        var room = rooms.GetOrAdd(roomId, static (id, tracker) => new RoomPresence(tracker, id), this);
        return room.Join(new VisitorKey(clientId, new PresenceEntry(name, admin)));
    }

    /// <summary>The room's current presence frame, for a stream that just caught up.</summary>
    public SseFrame Snapshot(int roomId) => rooms.TryGetValue(roomId, out var room) ? room.Frame : NobodyOnline;

    /// <summary>How many different names (an administrator's apart from a visitor's) are online in the room.</summary>
    public int CountOnline(int roomId) => rooms.TryGetValue(roomId, out var room) ? room.Count : 0;

    /// <summary>Tells the room's streams, and the other nodes' through the outbox, that <paramref name="author"/> is typing.</summary>
    public void AnnounceTyping(int roomId, string author)
    {
        ShowTyping(roomId, author);
        outbox?.Typing(roomId, author);
    }

    /// <summary>Tells this node's streams of the room that <paramref name="author"/> is typing on another node.</summary>
    public void ShowTyping(int roomId, string author) =>
        broadcaster.Publish(roomId, SseFrames.Typing(author, settings.TypingExpiry));

    /// <summary>The entries of the room's visitors whose streams are on this node, in list order.</summary>
    public IReadOnlyList<PresenceEntry> LocalEntries(int roomId) =>
        rooms.TryGetValue(roomId, out var room) ? room.Local : [];

    /// <summary>Rooms with visitors on this node, or entries from other nodes.</summary>
    public IEnumerable<int> RoomsWithEntries() =>
        rooms.Where(room => room.Value.Local.Length > 0 || room.Value.HasRemote).Select(room => room.Key);

    /// <summary>
    /// Replaces what the other nodes have online in the room by <paramref name="remote"/>; the room's streams get a
    /// new snapshot when the merged list changes.
    /// </summary>
    public void MergeRemote(int roomId, IReadOnlyCollection<PresenceEntry> remote)
    {
        if (remote.Count == 0 && !rooms.ContainsKey(roomId))
        {
            return;
        }
        rooms.GetOrAdd(roomId, static (id, tracker) => new RoomPresence(tracker, id), this).MergeRemote(remote);
    }

    private readonly record struct VisitorKey(string ClientId, PresenceEntry Entry);

    /// <summary>
    /// One room's visitors. Every change happens under one lock, and the frame it produces is published under it
    /// too, so streams receive snapshots in the order they were taken and the last one is always the current one.
    /// Rooms are never taken out of the tracker: an idle one is an empty dictionary, and there are few rooms.
    /// </summary>
    private sealed class RoomPresence(PresenceTracker tracker, int roomId)
    {
        private readonly Lock gate = new();
        private readonly Dictionary<VisitorKey, Visitor> visitors = [];
        private PresenceEntry[] local = [];
        private PresenceEntry[] remote = [];
        private PresenceEntry[] entries = [];
        private volatile SseFrame frame = NobodyOnline;

        public SseFrame Frame => frame;

        public int Count => Volatile.Read(ref entries).Length;

        public PresenceEntry[] Local => Volatile.Read(ref local);

        public bool HasRemote => Volatile.Read(ref remote).Length > 0;

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

        public void MergeRemote(IReadOnlyCollection<PresenceEntry> others)
        {
            lock (gate)
            {
                var sorted = others.Distinct().Order(ListOrder).ToArray();
                if (sorted.AsSpan().SequenceEqual(remote))
                {
                    return;
                }
                Volatile.Write(ref remote, sorted);
                Publish(Merge());
            }
        }

        // Called under the lock after a visitor joined or left. Two browsers may share a name, so the list
        // changes only when a (name, admin mark) entry appears or disappears altogether.
        private void Announce()
        {
            var current = visitors.Keys.Select(k => k.Entry).Distinct().Order(ListOrder).ToArray();
            if (current.AsSpan().SequenceEqual(local))
            {
                return;
            }
            Volatile.Write(ref local, current);
            tracker.outbox?.LocalChanged(roomId);
            Publish(remote.Length == 0 ? current : Merge());
        }

        // Both lists are sorted and distinct: one ordered merge, an entry on several nodes counted once.
        private PresenceEntry[] Merge()
        {
            var merged = new List<PresenceEntry>(local.Length + remote.Length);
            int i = 0, j = 0;
            while (i < local.Length || j < remote.Length)
            {
                var order = i == local.Length ? 1 : j == remote.Length ? -1 : ListOrder.Compare(local[i], remote[j]);
                merged.Add(order <= 0 ? local[i] : remote[j]);
                i += order <= 0 ? 1 : 0;
                j += order >= 0 ? 1 : 0;
            }
            return [.. merged];
        }

        private void Publish(PresenceEntry[] current)
        {
            if (current.AsSpan().SequenceEqual(entries))
            {
                return;
            }
            Volatile.Write(ref entries, current);
            var shown = current.Take(tracker.settings.PresenceMaxNames).ToArray();
            frame = SseFrames.Presence([.. shown.Select(e => e.Name)], current.Length, [.. shown.Select(e => e.Admin)]);
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

/// <summary>One line of the online list: a display name and whether a signed-in administrator's stream carries it.</summary>
public readonly record struct PresenceEntry(string Name, bool Admin);
