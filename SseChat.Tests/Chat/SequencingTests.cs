using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

/// <summary>Invariant 1: each subscriber sees every seq exactly once, in order, across any number of reconnects.</summary>
public sealed class SequencingTests : ChatAppTests
{
    private const int Posters = 8;
    private const int MessagesPerPoster = 50;
    private const int Total = Posters * MessagesPerPoster;

    [Fact]
    public async Task Concurrent_posters_and_reconnecting_subscribers_see_every_seq_once_in_order()
    {
        await App.AddRoomAsync("side");
        var baseAddress = App.BaseAddress;

        // Subscribers connect first, then keep dropping their connection at random points while posts pour in,
        // resuming each time from the last id they saw, as EventSource does.
        var subscribers = Enumerable.Range(0, 4)
            .Select(seed => FollowWithReconnectsAsync(baseAddress, "general", seed, Total))
            .ToList();

        var posters = Enumerable.Range(0, Posters).Select(async poster =>
        {
            using var client = App.CreateChatClient();
            var seqs = new List<long>();
            for (var i = 0; i < MessagesPerPoster; i++)
            {
                seqs.Add((await client.SendAsync("general", $"poster{poster}", $"{poster}:{i}")).Seq);
                if (i % 5 == 0)
                {
                    await client.SendAsync("side", $"poster{poster}", $"side {poster}:{i}");
                }
            }
            return seqs;
        }).ToList();

        var acknowledged = (await Task.WhenAll(posters)).SelectMany(s => s).Order().ToList();
        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), acknowledged);

        foreach (var received in await Task.WhenAll(subscribers))
        {
            Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), received.Seqs);
            Assert.True(received.Connections > 3, $"the subscriber should have reconnected, but used {received.Connections} connection(s)");
        }

        // Each poster's own messages keep their order, and the other room has its own contiguous sequence.
        await using var late = await SseSubscriber.ConnectAsync(baseAddress, "general", after: "0");
        var all = await late.ReadMessagesThroughAsync(Total);
        foreach (var byPoster in all.GroupBy(m => m.Author))
        {
            Assert.Equal(
                Enumerable.Range(0, MessagesPerPoster).Select(i => $"{byPoster.Key[6..]}:{i}"),
                byPoster.Select(m => m.Text));
        }
        await using var side = await SseSubscriber.ConnectAsync(baseAddress, "side", after: "0");
        var sideMessages = await side.ReadMessagesThroughAsync(Posters * 10);
        Assert.Equal(Enumerable.Range(1, Posters * 10).Select(i => (long)i), sideMessages.Select(m => m.Seq));
    }

    private static async Task<(List<long> Seqs, int Connections)> FollowWithReconnectsAsync(
        Uri baseAddress, string slug, int seed, long lastSeq)
    {
        var random = new Random(seed);
        var seqs = new List<long>();
        var connections = 0;
        string? lastEventId = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while ((seqs.Count == 0 || seqs[^1] < lastSeq) && DateTime.UtcNow < deadline)
        {
            connections++;
            await using var subscriber = lastEventId is null
                ? await SseSubscriber.ConnectAsync(baseAddress, slug, after: "0")
                : await SseSubscriber.ConnectAsync(baseAddress, slug, lastEventId: lastEventId);
            var readBeforeDropping = random.Next(1, 40);
            for (var i = 0; i < readBeforeDropping && (seqs.Count == 0 || seqs[^1] < lastSeq); i++)
            {
                var item = await subscriber.NextAsync(TimeSpan.FromSeconds(30));
                if (item.EventType == SseFrames.MessageEventType)
                {
                    seqs.Add(SseSubscriber.ParseMessage(item).Seq);
                }
            }
            lastEventId = subscriber.LastEventId;
        }
        return (seqs, connections);
    }
}
