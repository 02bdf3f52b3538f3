using Microsoft.Extensions.Options;
using SseChat.Web.Chat;
using StackExchange.Redis;

namespace SseChat.Web.Backplane;

/// <summary>
/// Hears the other nodes' room notices and rings this node's <see cref="RoomFeed"/>, which reads the database once per
/// room where someone here listens. Also watches the Redis connection: each change is logged once, and a restored
/// connection triggers a head poll at once, since notices sent while it was down are gone for good (Redis pub/sub
/// keeps nothing for a subscriber that was away).
/// </summary>
internal sealed partial class RedisNoticeSubscriber(
    IConnectionMultiplexer redis,
    BackplaneNode node,
    RoomFeed feed,
    HeadPoller headPoller,
    IOptions<BackplaneOptions> options,
    ILogger<RedisNoticeSubscriber> logger) : BackgroundService
{
    private readonly NoticeChaos chaos = options.Value.NoticeChaos;
    private readonly Lock chaosGate = new();
    private readonly Lock stateGate = new();
    private long noticesSeen;
    private RoomNotice? heldBack;
    private bool? connected;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionFailed += OnConnectionChanged;
        redis.ConnectionRestored += OnConnectionRestored;
        NoteConnectionState();
        if (chaos != NoticeChaos.None)
        {
            LogChaos(chaos);
        }
        try
        {
            // The multiplexer remembers the subscription before it asks the server, and renews it after every
            // reconnect by itself; so a first attempt that fails (Redis down at start) needs no retry here.
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RoomNotice.Channel), OnNotice);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogSubscribeDeferred(exception);
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionFailed -= OnConnectionChanged;
        redis.ConnectionRestored -= OnConnectionRestored;
        return base.StopAsync(cancellationToken);
    }

    private void OnNotice(RedisChannel channel, RedisValue value)
    {
        var text = (string?)value;
        // Own notices come back too; this node dispatched those events when it committed them.
        if (text is null || text.StartsWith(node.Id, StringComparison.Ordinal) || !RoomNotice.TryParse(text, out var notice))
        {
            return;
        }
        if (chaos == NoticeChaos.None)
        {
            Ring(notice);
            return;
        }
        foreach (var delivered in ApplyChaos(notice))
        {
            Ring(delivered);
        }
    }

    private void Ring(RoomNotice notice)
    {
        if (notice.IsGone)
        {
            feed.Gone(notice.RoomId);
        }
        else
        {
            feed.Heard(notice.RoomId, notice.Seq);
        }
    }

    /// <summary>The test-only faults of <see cref="BackplaneOptions.NoticeChaos"/>, on the receiving side.</summary>
    private List<RoomNotice> ApplyChaos(RoomNotice notice)
    {
        lock (chaosGate)
        {
            var count = ++noticesSeen;
            switch (chaos)
            {
                case NoticeChaos.DropAll:
                    return [];
                case NoticeChaos.DropHalf:
                    return count % 2 == 0 ? [] : [notice];
                case NoticeChaos.Duplicate:
                    return [notice, notice];
                case NoticeChaos.Reorder:
                    // Pairs swapped: each notice is held back until the next one has gone ahead of it.
                    if (heldBack is { } held)
                    {
                        heldBack = null;
                        return [notice, held];
                    }
                    heldBack = notice;
                    return [];
                default:
                    return [notice];
            }
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs args)
    {
        NoteConnectionState();
        headPoller.PollNow();
    }

    private void OnConnectionChanged(object? sender, ConnectionFailedEventArgs args) => NoteConnectionState();

    /// <summary>Logs the connection's state when it differs from the last one logged: once per change, whatever the traffic.</summary>
    private void NoteConnectionState()
    {
        var now = redis.IsConnected;
        lock (stateGate)
        {
            if (connected == now)
            {
                return;
            }
            var first = connected is null;
            connected = now;
            var endPoint = string.Join(", ", redis.GetEndPoints().Select(e => e.ToString()));
            if (now)
            {
                LogConnected(endPoint, first);
            }
            else
            {
                LogDisconnected(endPoint);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis backplane at {EndPoint} connected (first state seen at start: {AtStart}).")]
    private partial void LogConnected(string endPoint, bool atStart);

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Redis backplane at {EndPoint} is unreachable: this node still stores every post and serves its own listeners; other nodes' events reach them at each head poll (Backplane:HeadPollInterval). /readyz reports Degraded.")]
    private partial void LogDisconnected(string endPoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to the Redis room notices failed for now; the subscription is made when Redis comes back.")]
    private partial void LogSubscribeDeferred(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backplane:NoticeChaos is {Chaos}: room notices are tampered with on purpose. This setting is for tests only.")]
    private partial void LogChaos(NoticeChaos chaos);
}
