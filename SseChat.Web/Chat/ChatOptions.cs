using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Chat;

/// <summary>Tunables of posting and streaming, bound from the "Chat" section and validated at start-up.</summary>
public sealed class ChatOptions : IValidatableObject
{
    public const string SectionName = "Chat";

    /// <summary>How often an idle stream gets a comment line, so proxies do not cut it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The reconnection delay sent to browsers in the stream's first <c>retry:</c> line.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Messages rendered with the room page, and the default page of the history endpoint.</summary>
    [Range(1, 1000)]
    public int HistoryPageSize { get; set; } = 50;

    /// <summary>
    /// The most messages a room page keeps while its reader is at the bottom: older ones are dropped and loaded again
    /// when the reader scrolls up to them, so a page left open through a busy day stays fast.
    /// </summary>
    [Range(2, 100_000)]
    public int RoomPageMessageCap { get; set; } = 500;

    /// <summary>
    /// How often an open room list asks for fresh latest seqs and online counts. One small query per open list per
    /// interval, and the list's SSE-free design keeps the streams for rooms that are actually open.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "01:00:00")]
    public TimeSpan RoomListRefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The largest <c>limit</c> the history endpoint accepts.</summary>
    [Range(1, 1000)]
    public int HistoryMaxPageSize { get; set; } = 200;

    /// <summary>
    /// Events queued for one subscriber before it counts as stuck and its connection is dropped (it resumes later
    /// from its Last-Event-ID). The queued frames are shared byte arrays, so a deep queue costs little memory.
    /// </summary>
    [Range(8, 1_000_000)]
    public int SubscriberBufferSize { get; set; } = 1024;

    /// <summary>
    /// Bytes a stream writes before it hands them to the connection and waits for room there. Kestrel holds at most
    /// its own output buffer (<c>Kestrel:Limits:MaxResponseBufferSize</c>, 64 KB) on top, so this bounds what a
    /// client that reads slowly or not at all can make the server hold; a catch-up would otherwise write whole pages.
    /// </summary>
    [Range(1024, 1_048_576)]
    public int StreamFlushThreshold { get; set; } = 16 * 1024;

    /// <summary>
    /// How long a stream waits for its client to take what it was sent before it counts as a slow consumer and its
    /// connection is dropped, like a subscriber whose queue is full (it resumes later from its Last-Event-ID).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StreamDrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Events read from the database per query while a reconnecting client catches up.</summary>
    [Range(1, 100_000)]
    public int ReplayPageSize { get; set; } = 500;

    /// <summary>
    /// Most recent event frames kept in memory per room, so that a client reconnecting at most this many events
    /// behind is replayed from memory rather than the database. 0 turns the cache off.
    /// </summary>
    [Range(0, 1_000_000)]
    public int ReplayCacheSize { get; set; } = 1024;

    /// <summary>Most posts committed in one transaction when they arrive together.</summary>
    [Range(1, 10_000)]
    public int WriteBatchSize { get; set; } = 256;

    /// <summary>Posts waiting for the writer before new posts wait for room in the queue.</summary>
    [Range(1, 1_000_000)]
    public int WriteQueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// How long a visitor whose last stream closed still counts as online. A reload or a tab handing its stream to
    /// another tab reconnects well within it, so nobody flashes "left" and "joined".
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan PresenceLeaveGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most names one <c>presence</c> event lists; its <c>count</c> still says how many are online.</summary>
    [Range(1, 10_000)]
    public int PresenceMaxNames { get; set; } = 100;

    /// <summary>How long "X is typing…" shows after X's last typing notice, unless X sends a message first.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan TypingExpiry { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Replay queries (a reconnecting stream catching up) that may run at once; the others wait their turn, so a
    /// reconnect storm queues instead of exhausting the database.
    /// </summary>
    [Range(1, 1000)]
    public int MaxConcurrentReplays { get; set; } = 8;

    /// <summary>Streams one client address (an IPv6 client: its /64) may hold open at once; more get 429.</summary>
    [Range(1, 100_000)]
    public int MaxStreamsPerClient { get; set; } = 200;

    /// <summary>Streams the server holds open at once, all clients together; more get 503.</summary>
    [Range(1, 1_000_000)]
    public int MaxStreams { get; set; } = 10_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HistoryPageSize > HistoryMaxPageSize)
        {
            yield return new ValidationResult(
                $"{nameof(HistoryPageSize)} ({HistoryPageSize}) cannot exceed {nameof(HistoryMaxPageSize)} ({HistoryMaxPageSize}).",
                [nameof(HistoryPageSize), nameof(HistoryMaxPageSize)]);
        }
        // The page must be able to keep what it renders plus a page of "load older" without dropping it at once.
        if (RoomPageMessageCap < 2 * HistoryPageSize)
        {
            yield return new ValidationResult(
                $"{nameof(RoomPageMessageCap)} ({RoomPageMessageCap}) must be at least twice {nameof(HistoryPageSize)} ({HistoryPageSize}).",
                [nameof(RoomPageMessageCap), nameof(HistoryPageSize)]);
        }
        if (MaxStreamsPerClient > MaxStreams)
        {
            yield return new ValidationResult(
                $"{nameof(MaxStreamsPerClient)} ({MaxStreamsPerClient}) cannot exceed {nameof(MaxStreams)} ({MaxStreams}).",
                [nameof(MaxStreamsPerClient), nameof(MaxStreams)]);
        }
    }
}
