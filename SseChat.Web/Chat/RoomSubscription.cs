using System.Threading.Channels;

namespace SseChat.Web.Chat;

/// <summary>
/// One stream's place in a room: a bounded queue of shared frames. When the queue is full the subscriber is too
/// slow (or its TCP connection is stuck), so it is dropped rather than allowed to grow memory or hold others up.
/// </summary>
public sealed class RoomSubscription : IDisposable
{
    private readonly RoomBroadcaster owner;
    private readonly Channel<SseFrame> queue;
    // Never disposed: it has no timer or links, and a drop may signal it after the stream has ended.
    private readonly CancellationTokenSource dropped = new();
    private int closed;
    private volatile bool isDropped;

    internal RoomSubscription(RoomBroadcaster owner, int roomId, int capacity)
    {
        this.owner = owner;
        RoomId = roomId;
        queue = Channel.CreateBounded<SseFrame>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // makes TryWrite report "full" instead of discarding a frame
        });
    }

    public int RoomId { get; }

    /// <summary>Where the room's subscriber list keeps this subscription (-1 when not in it); guarded by that list's lock.</summary>
    internal int Slot { get; set; } = -1;

    public ChannelReader<SseFrame> Frames => queue.Reader;

    /// <summary>Cancelled when the subscriber was dropped for falling too far behind.</summary>
    public CancellationToken Dropped => dropped.Token;

    /// <summary>
    /// Whether the subscriber was dropped. Set before its queue completes, so a stream that finds its queue ended
    /// knows why, even before <see cref="Dropped"/> is signalled on the thread pool.
    /// </summary>
    public bool IsDropped => isDropped;

    internal void Offer(SseFrame frame)
    {
        if (!queue.Writer.TryWrite(frame) && !frame.Skippable)
        {
            Drop();
        }
    }

    /// <summary>
    /// Lets go of a subscriber that is too far behind: its queue is full, or its connection took nothing for
    /// <c>Chat:StreamDrainTimeout</c>. Its stream is cancelled and aborted, and the client resumes from its Last-Event-ID.
    /// </summary>
    internal void Drop()
    {
        if (Close(dropping: true))
        {
            owner.CountDropped();
            // Leaving the room and signalling the stream happen on the thread pool, so a mass drop never stalls
            // the fan-out loop that found the queues full.
            ThreadPool.UnsafeQueueUserWorkItem(
                static subscription =>
                {
                    subscription.owner.Remove(subscription);
                    subscription.dropped.Cancel();
                },
                this,
                preferLocal: false);
        }
    }

    public void Dispose()
    {
        if (Close())
        {
            owner.Remove(this);
        }
    }

    /// <summary>Stops taking frames; true only for the one caller that closed it.</summary>
    private bool Close(bool dropping = false)
    {
        if (Interlocked.Exchange(ref closed, 1) != 0)
        {
            return false;
        }
        isDropped = dropping;
        queue.Writer.TryComplete();
        return true;
    }
}
