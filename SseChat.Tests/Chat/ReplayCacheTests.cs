using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Chat;

/// <summary>
/// A reconnecting client is replayed from the room's kept frames when they reach back far enough, else from the
/// database; either way it must get exactly the events it missed, byte for byte the same.
/// </summary>
public sealed class ReplayCacheTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["Chat:ReplayCacheSize"] = "3",
})
{
    [Fact]
    public async Task Resuming_inside_and_beyond_the_kept_frames_replays_the_same_events_as_the_database()
    {
        using var client = App.CreateChatClient();
        for (var i = 1; i <= 6; i++)
        {
            await client.SendAsync("general", "ann", $"m{i}");
        }

        // Only 4, 5 and 6 are kept: after 0 and after 2 need the database, after 3 and after 4 do not.
        var fromDatabase = await ReplayAsync("0", through: 6);
        Assert.Equal(["1", "2", "3", "4", "5", "6"], fromDatabase.Select(i => i.EventId));
        Assert.Equal(["m1", "m2", "m3", "m4", "m5", "m6"], fromDatabase.Select(i => SseSubscriber.ParseMessage(i).Text));

        foreach (var (after, first) in new[] { ("2", 3), ("3", 4), ("4", 5) })
        {
            var replayed = await ReplayAsync(after, through: 6);
            Assert.Equal(fromDatabase[(first - 1)..].Select(i => (i.EventType, i.EventId, i.Data)),
                replayed.Select(i => (i.EventType, i.EventId, i.Data)));
        }
    }

    private async Task<List<System.Net.ServerSentEvents.SseItem<string>>> ReplayAsync(string lastEventId, int through)
    {
        await using var subscriber = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", lastEventId: lastEventId);
        var items = new List<System.Net.ServerSentEvents.SseItem<string>>();
        for (var seq = long.Parse(lastEventId, System.Globalization.CultureInfo.InvariantCulture) + 1; seq <= through; seq++)
        {
            items.Add(await subscriber.NextAsync());
        }
        return items;
    }
}
