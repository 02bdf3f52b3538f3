using System.Buffers;
using System.IO.Pipelines;

namespace SseChat.Web.Chat;

/// <summary>
/// A stream's response body that never holds much the client has not taken: it flushes every
/// <see cref="ChatOptions.StreamFlushThreshold"/> bytes, and a flush still waiting for the client after
/// <see cref="ChatOptions.StreamDrainTimeout"/> drops the subscription as a slow consumer.
/// </summary>
/// <remarks>
/// Bytes written to a PipeWriter stay in memory until flushed, and a flush only waits once Kestrel's output buffer
/// passes its pause threshold: so writing a whole catch-up page before flushing put megabytes per slow stream in
/// memory at once. Flushing every few kilobytes keeps a stream to that threshold plus Kestrel's buffer plus one frame.
/// </remarks>
internal sealed class SseOutput(PipeWriter body, RoomSubscription subscription, ChatOptions options, TimeProvider time)
{
    private readonly int flushThreshold = options.StreamFlushThreshold;
    private readonly TimeSpan drainTimeout = options.StreamDrainTimeout;
    private long unflushed;

    /// <summary>Writes the frame; true when enough is unflushed that the caller must flush before writing more.</summary>
    public bool Write(SseFrame frame)
    {
        body.Write(frame.Utf8.Span);
        unflushed += frame.Utf8.Length;
        return unflushed >= flushThreshold;
    }

    /// <summary>
    /// Flushes; cancelled (through the subscription's Dropped token, which the caller's token must include) when the
    /// client has not made room for it within the drain timeout.
    /// </summary>
    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken)
    {
        unflushed = 0;
        var flush = body.FlushAsync(cancellationToken);
        // Almost every flush completes at once: the timer is only paid for by a client that is behind.
        return flush.IsCompleted ? flush : WaitForDrainAsync(flush);
    }

    private async ValueTask<FlushResult> WaitForDrainAsync(ValueTask<FlushResult> flush)
    {
        using var deadline = time.CreateTimer(
            static state => ((RoomSubscription)state!).Drop(), subscription, drainTimeout, Timeout.InfiniteTimeSpan);
        return await flush;
    }
}
