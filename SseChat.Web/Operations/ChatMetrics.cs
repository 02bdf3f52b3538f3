using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using SseChat.Web.Chat;
using SseChat.Web.Data;

namespace SseChat.Web.Operations;

/// <summary>
/// SseChat's instruments, on the meter "SseChat" (read them with <c>dotnet-counters monitor -n SseChat.Web
/// --counters SseChat</c>, or export them with OpenTelemetry). Names follow OpenTelemetry's conventions.
/// </summary>
/// <remarks>
/// The counters are observable: each keeps its value in a field here, and the instrument reports that field. The
/// admin page reads the same fields (<see cref="Snapshot"/>), so what it shows and what a collector sees cannot
/// drift apart. Every recording method is an <see cref="Interlocked"/> operation or a tag-less histogram record:
/// nothing on the fan-out or stream path allocates.
/// </remarks>
public sealed class ChatMetrics
{
    public const string MeterName = "SseChat";

    public const string RoomTag = "ssechat.room";
    public const string EventTypeTag = "ssechat.event.type";
    public const string ReasonTag = "reason";

    // Indexed by RoomEventKind; the tag values are the SSE event types clients see.
    private static readonly (RoomEventKind Kind, string Type)[] EventTypes =
    [
        (RoomEventKind.Message, SseFrames.MessageEventType),
        (RoomEventKind.Delete, SseFrames.DeleteEventType),
        (RoomEventKind.Room, SseFrames.RoomEventType),
    ];

    private static readonly string[] RejectionReasons = ["validation", "archived", "unavailable", "rate_limit"];

    private readonly ConcurrentDictionary<string, RoomStreams> openStreams = new(StringComparer.Ordinal);
    private readonly long[] persisted = new long[(int)RoomEventKind.Room + 1];
    private readonly long[] rejected = new long[RejectionReasons.Length];
    private readonly Histogram<double> fanOutLatency;
    private readonly Histogram<long> replayEvents;
    private long deliveries;
    private long dropped;

    public ChatMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter(
            "ssechat.streams.open", ObserveOpenStreams, "{stream}", "Event streams open right now, per room.");
        meter.CreateObservableCounter(
            "ssechat.events.persisted", ObservePersisted, "{event}", "Events committed to the database, by type.");
        meter.CreateObservableCounter(
            "ssechat.deliveries", () => Volatile.Read(ref deliveries), "{frame}",
            "Published frames written and flushed to streams (one per event per listening stream).");
        fanOutLatency = meter.CreateHistogram(
            "ssechat.fanout.latency", "s",
            "From an event's commit until a stream flushed it; one measurement per flushed burst, for its oldest frame.",
            tags: null,
            new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
        replayEvents = meter.CreateHistogram(
            "ssechat.replay.events", "{event}", "Events replayed when a stream (re)connects, from the recent frames kept in memory or from the database.",
            tags: null,
            new InstrumentAdvice<long> { HistogramBucketBoundaries = [0, 1, 10, 50, 100, 500, 1000, 5000, 10000] });
        meter.CreateObservableCounter(
            "ssechat.subscribers.dropped", () => Volatile.Read(ref dropped), "{subscriber}",
            "Streams dropped because their queue was full (too slow, or a stuck connection).");
        meter.CreateObservableCounter(
            "ssechat.posts.rejected", ObserveRejected, "{post}", "Posts refused, by reason.");
    }

    /// <summary>Counts a stream as open in its room until the returned handle is disposed.</summary>
    public IDisposable StreamOpened(string room)
    {
        var streams = openStreams.GetOrAdd(room, static _ => new RoomStreams());
        Interlocked.Increment(ref streams.Count);
        return new OpenStream(streams);
    }

    public void EventPersisted(RoomEventKind kind) => Interlocked.Increment(ref persisted[(int)kind]);

    /// <summary>
    /// A stream flushed <paramref name="frames"/> published frames, the oldest committed at
    /// <paramref name="oldestCommittedAt"/> (a <see cref="Stopwatch.GetTimestamp"/> value).
    /// </summary>
    public void Delivered(int frames, long oldestCommittedAt)
    {
        if (frames == 0)
        {
            return;
        }
        Interlocked.Add(ref deliveries, frames);
        fanOutLatency.Record(Stopwatch.GetElapsedTime(oldestCommittedAt).TotalSeconds);
    }

    public void Replayed(int events) => replayEvents.Record(events);

    public void SubscriberDropped() => Interlocked.Increment(ref dropped);

    public void PostRejected(PostRejection reason) => Interlocked.Increment(ref rejected[(int)reason]);

    /// <summary>Streams open right now in one room.</summary>
    public long OpenStreamsIn(string room) =>
        openStreams.TryGetValue(room, out var streams) ? Volatile.Read(ref streams.Count) : 0;

    /// <summary>The figures the instruments report right now, for the admin page.</summary>
    public ChatFigures Snapshot()
    {
        long open = 0;
        foreach (var streams in openStreams.Values)
        {
            open += Volatile.Read(ref streams.Count);
        }
        long events = 0;
        foreach (var (kind, _) in EventTypes)
        {
            events += Volatile.Read(ref persisted[(int)kind]);
        }
        var rejections = new PostRejectionCount[RejectionReasons.Length];
        for (var i = 0; i < rejections.Length; i++)
        {
            rejections[i] = new((PostRejection)i, RejectionReasons[i], Volatile.Read(ref rejected[i]));
        }
        return new ChatFigures(open, events, Volatile.Read(ref deliveries), Volatile.Read(ref dropped), rejections);
    }

    private IEnumerable<Measurement<long>> ObserveOpenStreams()
    {
        // Rooms stay listed at 0 once their streams close, so a collector sees the series go down, not vanish.
        foreach (var (room, streams) in openStreams)
        {
            yield return new Measurement<long>(Volatile.Read(ref streams.Count), new KeyValuePair<string, object?>(RoomTag, room));
        }
    }

    private IEnumerable<Measurement<long>> ObservePersisted()
    {
        foreach (var (kind, type) in EventTypes)
        {
            yield return new Measurement<long>(
                Volatile.Read(ref persisted[(int)kind]), new KeyValuePair<string, object?>(EventTypeTag, type));
        }
    }

    private IEnumerable<Measurement<long>> ObserveRejected()
    {
        for (var i = 0; i < RejectionReasons.Length; i++)
        {
            yield return new Measurement<long>(
                Volatile.Read(ref rejected[i]), new KeyValuePair<string, object?>(ReasonTag, RejectionReasons[i]));
        }
    }

    private sealed class RoomStreams
    {
        public long Count;
    }

    private sealed class OpenStream(RoomStreams streams) : IDisposable
    {
        private int closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref closed, 1) == 0)
            {
                Interlocked.Decrement(ref streams.Count);
            }
        }
    }
}

/// <summary>Why a post was refused; the value of the <c>reason</c> tag of <c>ssechat.posts.rejected</c>.</summary>
public enum PostRejection
{
    /// <summary>400: the form did not validate.</summary>
    Validation,

    /// <summary>409: the room is archived.</summary>
    Archived,

    /// <summary>503: the database could not store it, or the server is stopping.</summary>
    Unavailable,

    /// <summary>429: the client posted more than <c>RateLimits:PostPermitLimit</c> in a window.</summary>
    RateLimit,
}

/// <param name="OpenStreams">Streams open right now, all rooms together.</param>
/// <param name="PostsRejected">Refused posts per reason.</param>
public sealed record ChatFigures(
    long OpenStreams,
    long EventsPersisted,
    long Deliveries,
    long SubscribersDropped,
    IReadOnlyList<PostRejectionCount> PostsRejected);

/// <param name="Tag">The meter's <c>reason</c> tag value for <paramref name="Rejection"/> ("rate_limit").</param>
public sealed record PostRejectionCount(PostRejection Rejection, string Tag, long Count);
