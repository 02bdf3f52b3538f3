using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using StackExchange.Redis;

namespace SseChat.Web.Backplane;

/// <summary>This process among the fleet's nodes: how it recognises its own notices when Redis echoes them back.</summary>
public sealed class BackplaneNode
{
    public string Id { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
}

/// <summary>
/// Sends the room notices to Redis from its own loop, never from the writer's: the writer only records the highest
/// seq per room here, which costs a dictionary update. Notices of one room coalesce to the highest seq (a node that
/// hears seq 9 reads 7 and 8 too), so while Redis is slow or frozen the backlog is at most one entry per room and
/// POSTs never wait for it. At most one round of publishes is in flight at a time, for the same reason.
/// </summary>
internal sealed partial class RedisNoticePublisher(
    IConnectionMultiplexer redis,
    BackplaneNode node,
    ILogger<RedisNoticePublisher> logger) : BackgroundService, IRoomNotices
{
    private const long GoneSeq = -1;

    private static readonly RedisChannel Channel = RedisChannel.Literal(RoomNotice.Channel);

    private readonly ConcurrentDictionary<int, long> pending = new();

    // One waiting signal is enough whatever the number of notices: the loop takes every pending room each round.
    private readonly Channel<bool> signal = System.Threading.Channels.Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private bool failing;

    public void Committed(int roomId, long seq)
    {
        pending.AddOrUpdate(
            roomId, static (_, next) => next, static (_, known, next) => known == GoneSeq ? GoneSeq : Math.Max(known, next), seq);
        signal.Writer.TryWrite(true);
    }

    public void Deleted(int roomId)
    {
        pending[roomId] = GoneSeq;
        signal.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscriber = redis.GetSubscriber();
        var round = new List<Task>();
        try
        {
            while (await signal.Reader.WaitToReadAsync(stoppingToken))
            {
                signal.Reader.TryRead(out _);
                foreach (var roomId in pending.Keys)
                {
                    if (pending.TryRemove(roomId, out var seq))
                    {
                        var notice = seq == GoneSeq ? RoomNotice.Gone(node.Id, roomId) : new RoomNotice(node.Id, roomId, seq);
                        round.Add(subscriber.PublishAsync(Channel, notice.ToString()));
                    }
                }
                try
                {
                    // Bounded by the multiplexer's own timeout (a frozen Redis times out rather than hangs).
                    await Task.WhenAll(round);
                    if (failing)
                    {
                        failing = false;
                        LogPublishingAgain();
                    }
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    // Lost notices cost delay, never events: the other nodes' head poll finds the rooms' new seqs.
                    if (!failing)
                    {
                        failing = true;
                        LogPublishFailed(exception);
                    }
                }
                round.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Sending room notices to Redis failed; other nodes will see this node's events at their next head poll. Logged once until it works again.")]
    private partial void LogPublishFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sending room notices to Redis works again.")]
    private partial void LogPublishingAgain();
}
