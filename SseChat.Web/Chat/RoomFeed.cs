using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SseChat.Web.Backplane;
using SseChat.Web.Data;

namespace SseChat.Web.Chat;

/// <summary>
/// This node's one door into <see cref="RoomBroadcaster"/> for persisted events: per room, it hands frames to the
/// broadcaster strictly in seq order with no holes, whether they were committed here (the writer publishes them) or
/// on another node (a notice or the head poll says the room moved on, and the frames are read from the database).
/// </summary>
/// <remarks>
/// The events table is the log and the backplane only a doorbell (docs/architecture.md). A local commit that follows
/// the last dispatched seq goes out at once, with no query, as on a single node. One that does not (another node
/// committed in between) waits while the room catches up from the database: one reader per room, whatever the number
/// of streams, so thousands of streams never each query for what another node wrote.
/// </remarks>
public sealed partial class RoomFeed(
    RoomBroadcaster broadcaster,
    IDbContextFactory<ChatDbContext> contexts,
    ReplayGate replayGate,
    IRoomNotices notices,
    IOptions<ChatOptions> options,
    TimeProvider clock,
    ILogger<RoomFeed> logger) : IRoomEventPublisher
{
    private readonly ConcurrentDictionary<int, RoomState> rooms = new();
    private readonly int pageSize = options.Value.ReplayPageSize;

    /// <summary>
    /// Subscribes a stream to the room. <paramref name="knownHead"/> is the room's LastSeq as read before this call:
    /// every event up to it was committed before the stream subscribed, so the stream's own replay (which reads after
    /// subscribing) covers it.
    /// </summary>
    public RoomSubscription Subscribe(int roomId, long knownHead)
    {
        var room = rooms.GetOrAdd(roomId, static (_, head) => new RoomState(head), knownHead);
        lock (room.Gate)
        {
            // A room nobody here listens to is not followed (no database reads for it), so its top may lag behind. The
            // first listener moves it to what it knows is committed: under the gate, so no dispatch or other
            // subscribe interleaves. Only while nobody listens: a listener already here may still be waiting for the
            // seqs in between, and the feed must dispatch them to it rather than skip them.
            if (knownHead > room.Top && broadcaster.CountSubscribers(roomId) == 0)
            {
                room.Top = knownHead;
                // The kept frames end at the old top; a stream that replayed from them would stop there and never be
                // sent what lies between, since nothing dispatches it now.
                broadcaster.ForgetRecent(roomId);
            }
            return broadcaster.Subscribe(roomId);
        }
    }

    /// <summary>A frame the writer committed here, in seq order (the room's gone frame after a deletion).</summary>
    public void Publish(int roomId, SseFrame frame)
    {
        if (frame.EndsStream)
        {
            notices.Deleted(roomId);
            if (!TryEnd(roomId))
            {
                broadcaster.Publish(roomId, frame); // never followed here: whoever subscribed without the feed hears it
            }
            return;
        }
        if (frame.Seq is not { } seq)
        {
            broadcaster.Publish(roomId, frame);
            return;
        }
        notices.Committed(roomId, seq);

        var room = rooms.GetOrAdd(roomId, static (_, first) => new RoomState(first - 1), seq);
        lock (room.Gate)
        {
            if (room.IsGone || seq <= room.Top)
            {
                return; // already read from the database and dispatched by a catch-up
            }
            if (!room.CatchingUp && (seq == room.Top + 1 || broadcaster.CountSubscribers(roomId) == 0))
            {
                // In order: today's single-node path. Or nobody listens here, so nothing needs the seqs in between
                // (the kept frames start afresh at the hole, so they stay true).
                Dispatch(roomId, room, frame);
                return;
            }
            room.Waiting.Add(seq, frame);
            StartCatchUpLocked(roomId, room, seq - 1);
        }
    }

    /// <summary>
    /// Another node (a notice) or the database (the head poll) says the room holds events up to <paramref name="seq"/>.
    /// Followed only where someone here listens.
    /// </summary>
    public void Heard(int roomId, long seq)
    {
        if (!rooms.TryGetValue(roomId, out var room) || broadcaster.CountSubscribers(roomId) == 0)
        {
            return;
        }
        lock (room.Gate)
        {
            if (!room.IsGone && seq > room.Top)
            {
                StartCatchUpLocked(roomId, room, seq);
            }
        }
    }

    /// <summary>The room was deleted on another node, or the head poll found it missing: end its streams here.</summary>
    public void Gone(int roomId) => TryEnd(roomId);

    /// <summary>Sends the room's gone frame after everything dispatched so far, and forgets the room; false if never followed.</summary>
    private bool TryEnd(int roomId)
    {
        if (!rooms.TryRemove(roomId, out var room))
        {
            return false; // nobody here ever listened: nothing to end
        }
        lock (room.Gate)
        {
            room.IsGone = true;
            room.Waiting.Clear();
            broadcaster.Publish(roomId, SseFrames.RoomGone);
        }
        return true;
    }

    /// <summary>The rooms someone on this node listens to: the ones the head poll reads.</summary>
    public List<int> RoomsWithListeners()
    {
        var listened = new List<int>();
        foreach (var roomId in rooms.Keys)
        {
            if (broadcaster.CountSubscribers(roomId) > 0)
            {
                listened.Add(roomId);
            }
        }
        return listened;
    }

    /// <summary>The highest seq dispatched in the room on this node, if it has been followed here.</summary>
    public long? DispatchedThrough(int roomId) => rooms.TryGetValue(roomId, out var room) ? Volatile.Read(ref room.Top) : null;

    /// <summary>How many times a room was read from the database to catch up (for tests and the admin figures).</summary>
    public long CatchUpReads => Interlocked.Read(ref catchUpReads);

    private long catchUpReads;

    private void Dispatch(int roomId, RoomState room, SseFrame frame)
    {
        broadcaster.Publish(roomId, frame);
        room.Top = frame.Seq!.Value;
    }

    private void StartCatchUpLocked(int roomId, RoomState room, long through)
    {
        room.Wanted = Math.Max(room.Wanted, through);
        if (!room.CatchingUp)
        {
            room.CatchingUp = true;
            _ = CatchUpAsync(roomId, room);
        }
    }

    /// <summary>
    /// Reads the room's events above its top, page by page, and dispatches them, with the local frames that waited
    /// behind them, until the room is dispatched through everything it was told about.
    /// </summary>
    private async Task CatchUpAsync(int roomId, RoomState room)
    {
        await Task.Yield(); // never on the caller's thread: that is the writer loop or a Redis callback
        try
        {
            while (true)
            {
                long after;
                lock (room.Gate)
                {
                    DispatchWaitingLocked(roomId, room);
                    if (room.IsGone || (room.Top >= room.Wanted && room.Waiting.Count == 0))
                    {
                        room.CatchingUp = false;
                        return;
                    }
                    after = room.Top;
                }

                List<RoomEvent> page;
                using (await replayGate.EnterAsync(CancellationToken.None))
                {
                    Interlocked.Increment(ref catchUpReads);
                    await using var db = await contexts.CreateDbContextAsync();
                    page = await db.RoomEvents.AsNoTracking()
                        .Where(e => e.RoomId == roomId && e.Seq > after)
                        .OrderBy(e => e.Seq)
                        .Take(pageSize)
                        .ToListAsync();
                }
                if (page.Count == 0)
                {
                    // Told of more than the database holds (the room was deleted meanwhile, or a notice came from
                    // another database): stop here rather than ask again; waiting local frames go out as they are.
                    GiveUp(roomId, room);
                    return;
                }
                var frames = new List<SseFrame>(page.Count);
                foreach (var roomEvent in page)
                {
                    var frame = await SseFrames.ForEventAsync(roomEvent);
                    frames.Add(frame with { CommittedAt = StampFromWallClock(roomEvent.CreatedAt) });
                }
                foreach (var frame in frames)
                {
                    // One frame per turn of the gate, so the writer's own publishes never wait for a whole page.
                    lock (room.Gate)
                    {
                        if (room.IsGone)
                        {
                            break;
                        }
                        if (frame.Seq > room.Top)
                        {
                            // Commit order is seq order per room (the writer's row lock), so the page has no hole;
                            // should one appear anyway, the streams fill it from the database themselves.
                            Dispatch(roomId, room, frame);
                        }
                    }
                }
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            if (!DatabaseAvailability.IsOutage(exception))
            {
                LogCatchUpFailed(exception, roomId); // an outage is logged once, by DatabaseAvailability
            }
            GiveUp(roomId, room);
        }
    }

    private void GiveUp(int roomId, RoomState room)
    {
        lock (room.Gate)
        {
            foreach (var frame in room.Waiting.Values)
            {
                if (!room.IsGone && frame.Seq > room.Top)
                {
                    Dispatch(roomId, room, frame);
                }
            }
            room.Waiting.Clear();
            room.Wanted = room.Top;
            room.CatchingUp = false;
        }
    }

    private void DispatchWaitingLocked(int roomId, RoomState room)
    {
        while (room.Waiting.Count > 0)
        {
            var (seq, frame) = (room.Waiting.Keys[0], room.Waiting.Values[0]);
            if (seq > room.Top + 1)
            {
                return;
            }
            room.Waiting.RemoveAt(0);
            if (seq == room.Top + 1 && !room.IsGone)
            {
                Dispatch(roomId, room, frame);
            }
        }
    }

    /// <summary>
    /// A frame read back from the database is stamped with its event's stored UTC time, which means the same on every
    /// node (a Stopwatch stamp from another process would not), turned into this process's Stopwatch terms so that
    /// streams measure every frame alike. A clock ahead of ours counts as no delay rather than a negative one.
    /// </summary>
    private long StampFromWallClock(DateTime createdAtUtc)
    {
        var age = clock.GetUtcNow().UtcDateTime - createdAtUtc;
        var now = Stopwatch.GetTimestamp();
        return age <= TimeSpan.Zero ? now : now - (long)(age.TotalSeconds * Stopwatch.Frequency);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Reading room {RoomId}'s new events from the database failed; its streams will fill the gap themselves.")]
    private partial void LogCatchUpFailed(Exception exception, int roomId);

    private sealed class RoomState(long top)
    {
        public readonly Lock Gate = new();

        /// <summary>The highest seq handed to the broadcaster; every lower one was handed before it, in order.</summary>
        public long Top = top;

        /// <summary>The highest seq known to be committed: a catch-up runs until the top reaches it.</summary>
        public long Wanted = top;

        public bool CatchingUp;

        public bool IsGone;

        /// <summary>Local frames that arrived above a hole, waiting for the catch-up to dispatch the seqs below them.</summary>
        public SortedList<long, SseFrame> Waiting { get; } = [];
    }
}
