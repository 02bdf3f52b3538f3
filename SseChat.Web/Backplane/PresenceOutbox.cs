using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace SseChat.Web.Backplane;

/// <summary>
/// What <see cref="Chat.PresenceTracker"/> has to tell the other nodes, handed over without waiting: rooms whose local
/// entries changed (each noted once until <see cref="RedisPresenceSharing"/> takes it, so a burst of joins is one
/// write) and typing notices (a bounded queue that drops the oldest). Registered only with a Redis backplane.
/// </summary>
public sealed class PresenceOutbox(IOptions<PresenceSharingOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<int, byte> changedRooms = new();
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<TypingNotice> typing = Channel.CreateBounded<TypingNotice>(
        new BoundedChannelOptions(options.Value.TypingQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest });

    /// <summary>Called under the room's presence lock: must never block.</summary>
    public void LocalChanged(int roomId)
    {
        if (changedRooms.TryAdd(roomId, 0))
        {
            Wake();
        }
    }

    public void Typing(int roomId, string author) =>
        typing.Writer.TryWrite(new TypingNotice(roomId, author, clock.GetTimestamp()));

    internal ChannelReader<TypingNotice> TypingNotices => typing.Reader;

    internal void Wake() => wake.Writer.TryWrite(true);

    /// <summary>Waits until something is noted (or <paramref name="cancellationToken"/>), consuming the signal.</summary>
    internal async Task WaitAsync(CancellationToken cancellationToken)
    {
        await wake.Reader.WaitToReadAsync(cancellationToken);
        wake.Reader.TryRead(out _);
    }

    /// <summary>The rooms noted since the last call; a change noted meanwhile is noted again.</summary>
    internal List<int> TakeChangedRooms()
    {
        var taken = new List<int>(changedRooms.Count);
        foreach (var roomId in changedRooms.Keys)
        {
            if (changedRooms.TryRemove(roomId, out _))
            {
                taken.Add(roomId);
            }
        }
        return taken;
    }

    /// <param name="Queued">When it was noted, a <see cref="TimeProvider.GetTimestamp"/> value.</param>
    internal readonly record struct TypingNotice(int RoomId, string Author, long Queued);
}
