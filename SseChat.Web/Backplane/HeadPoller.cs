using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SseChat.Web.Chat;
using SseChat.Web.Data;

namespace SseChat.Web.Backplane;

/// <summary>
/// Every <see cref="BackplaneOptions.HeadPollInterval"/>, and at once when asked (the Redis subscription came back),
/// reads the LastSeq of the rooms someone on this node listens to, in one query, and tells the feed. Notices are at
/// most once (a Redis restart, a frozen Redis, or a subscriber that was away loses them); this bounds what a lost
/// notice costs to one interval of delay, never an event. A room no longer in the table is gone.
/// </summary>
internal sealed partial class HeadPoller(
    RoomFeed feed,
    IDbContextFactory<ChatDbContext> contexts,
    IOptions<BackplaneOptions> options,
    ILogger<HeadPoller> logger) : BackgroundService
{
    // At most one poll is asked for while one is pending: a storm of reconnect events costs one query.
    private readonly SemaphoreSlim pollNow = new(0, 1);
    private bool failing;

    public void PollNow()
    {
        try
        {
            pollNow.Release();
        }
        catch (SemaphoreFullException)
        {
            // A poll is already asked for.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.HeadPollInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await pollNow.WaitAsync(interval, stoppingToken);
                await PollAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var listened = feed.RoomsWithListeners();
        if (listened.Count == 0)
        {
            return;
        }
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var heads = await db.Rooms.AsNoTracking()
                .Where(r => listened.Contains(r.Id))
                .Select(r => new { r.Id, r.LastSeq })
                .ToDictionaryAsync(r => r.Id, r => r.LastSeq, cancellationToken);
            foreach (var roomId in listened)
            {
                if (heads.TryGetValue(roomId, out var head))
                {
                    feed.Heard(roomId, head);
                }
                else
                {
                    feed.Gone(roomId);
                }
            }
            if (failing)
            {
                failing = false;
                LogPollingAgain();
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not OutOfMemoryException)
        {
            if (!failing)
            {
                failing = true;
                LogPollFailed(exception);
            }
        }
    }

    public override void Dispose()
    {
        pollNow.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the rooms' newest seqs failed; other nodes' events wait until it works again. Logged once until then.")]
    private partial void LogPollFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading the rooms' newest seqs works again.")]
    private partial void LogPollingAgain();
}
