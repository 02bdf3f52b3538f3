using Microsoft.Extensions.DependencyInjection;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

/// <summary>Catch-up queries take turns (Chat:MaxConcurrentReplays): a storm of reconnects queues instead of piling up.</summary>
public sealed class ReplayGateTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["Chat:MaxConcurrentReplays"] = "1",
    // The turns guard database replays; without the recent-frame cache every catch-up is one.
    ["Chat:ReplayCacheSize"] = "0",
})
{
    [Fact]
    public async Task A_replay_waits_while_every_turn_is_taken_and_then_catches_up()
    {
        using var client = App.CreateChatClient();
        var missed = await client.SendAsync("general", "ann", "sent while you were away");
        var gate = App.Services.GetRequiredService<ReplayGate>();

        SseSubscriber subscriber;
        using (await gate.EnterAsync(CancellationToken.None)) // the only turn, as another stream's replay would hold it
        {
            // The stream opens (headers and retry: go out at once) but its replay waits for the turn.
            subscriber = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", lastEventId: "0");
            await Assert.ThrowsAsync<TimeoutException>(() => subscriber.NextAsync(TimeSpan.FromMilliseconds(500)));
        }

        await using (subscriber)
        {
            Assert.Equal(missed, SseSubscriber.ParseMessage(await subscriber.NextAsync()));
            var live = await client.SendAsync("general", "ann", "and live again");
            Assert.Equal(live, SseSubscriber.ParseMessage(await subscriber.NextAsync()));
        }
    }
}
