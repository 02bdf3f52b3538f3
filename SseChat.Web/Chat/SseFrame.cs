namespace SseChat.Web.Chat;

/// <summary>
/// One event already encoded as Server-Sent Events wire bytes. It is encoded once and the same bytes are handed
/// to every subscriber, so fan-out to thousands of connections does no per-subscriber serialization.
/// </summary>
/// <param name="Seq">The room sequence number for persisted events; null for id-less ones (heartbeats).</param>
/// <param name="EndsStream">The last frame a stream sends (the room is gone).</param>
public sealed record SseFrame(long? Seq, ReadOnlyMemory<byte> Utf8, bool EndsStream = false)
{
    /// <summary>
    /// For a frame the writer published, when its event was committed (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>);
    /// 0 for frames nobody published (heartbeats, replays). Streams measure the fan-out latency from it.
    /// </summary>
    public long CommittedAt { get; init; }

    /// <summary>
    /// True for an event that changes how an earlier one replays (a removal: the removed message then replays
    /// without its text), so copies of earlier frames kept for replay must be let go.
    /// </summary>
    public bool RewritesEarlierEvents { get; init; }

    /// <summary>
    /// True for a notice a full queue may do without (presence, typing): the next presence snapshot supersedes it and
    /// typing expires by itself, so a subscriber that is busy catching up is never dropped for chatter. Persisted
    /// events and heartbeats are never skippable: a full queue on those means the subscriber is too far behind.
    /// </summary>
    public bool Skippable { get; init; }
}
