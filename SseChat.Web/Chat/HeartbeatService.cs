using Microsoft.Extensions.Options;

namespace SseChat.Web.Chat;

/// <summary>
/// One timer for all streams instead of one per connection: every interval it queues a shared comment frame on
/// every subscription, so idle streams outlive proxy timeouts and dead ones fill up and get dropped.
/// </summary>
public sealed class HeartbeatService(RoomBroadcaster broadcaster, IOptions<ChatOptions> options, TimeProvider clock)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                broadcaster.Heartbeat();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
