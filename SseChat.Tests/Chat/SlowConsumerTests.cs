using System.Globalization;
using System.Net.ServerSentEvents;
using Microsoft.Extensions.DependencyInjection;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

/// <summary>Invariant 4: one subscriber that stops reading never delays the others, and resumes later.</summary>
public sealed class SlowConsumerTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["Chat:SubscriberBufferSize"] = "16",
})
{
    private const int Messages = 400;

    [Fact]
    public async Task Stalled_subscriber_is_dropped_without_delaying_others_and_resumes_from_its_last_id()
    {
        var baseAddress = App.BaseAddress;
        var broadcaster = App.Services.GetRequiredService<RoomBroadcaster>();

        // The stalled client: a tiny socket receive buffer, and it reads nothing after the response headers.
        using var stalledHttp = StalledClient.Create(baseAddress);
        using var stalled = await stalledHttp.GetAsync("stream/general?after=0", HttpCompletionOption.ResponseHeadersRead);
        await using var healthy = await SseSubscriber.ConnectAsync(baseAddress, "general", after: "0");
        await WaitUntilAsync(() => broadcaster.CountSubscribers(1) == 2, "both subscribers registered");

        // Large messages (CJK is escaped to \uXXXX in the JSON) fill the stalled client's socket buffers fast.
        var bulky = string.Concat(Enumerable.Repeat("满", 4000));
        var posters = Enumerable.Range(0, 4).Select(async poster =>
        {
            using var client = App.CreateChatClient();
            for (var i = 0; i < Messages / 4; i++)
            {
                await client.SendAsync("general", $"poster{poster}", bulky);
            }
        });
        var receiving = healthy.ReadMessagesThroughAsync(Messages, TimeSpan.FromSeconds(60));
        await Task.WhenAll(posters);

        var received = await receiving;
        Assert.Equal(Enumerable.Range(1, Messages).Select(i => (long)i), received.Select(m => m.Seq));

        // The server let go of the stalled subscriber while it still was not reading.
        await WaitUntilAsync(() => broadcaster.CountSubscribers(1) == 1, "the stalled subscriber dropped");

        // Now the stalled client reads what reached it before the drop; the connection has ended.
        var reachedIt = new List<long>();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try
            {
                var body = await stalled.Content.ReadAsStreamAsync(timeout.Token);
                await foreach (var item in SseParser.Create(body).EnumerateAsync(timeout.Token))
                {
                    if (!string.IsNullOrEmpty(item.EventId))
                    {
                        reachedIt.Add(long.Parse(item.EventId, CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or HttpRequestException)
            {
                // The server aborted the connection: expected.
            }
            Assert.False(timeout.IsCancellationRequested, "the stalled connection should have been closed by the server");
        }
        Assert.True(reachedIt.Count < Messages, "the stalled client cannot have received everything");
        Assert.Equal(Enumerable.Range(1, reachedIt.Count).Select(i => (long)i), reachedIt);

        var lastId = reachedIt.Count == 0 ? "0" : reachedIt[^1].ToString(CultureInfo.InvariantCulture);
        await using var resumed = await SseSubscriber.ConnectAsync(baseAddress, "general", lastEventId: lastId);
        var rest = await resumed.ReadMessagesThroughAsync(Messages);
        Assert.Equal(Enumerable.Range(reachedIt.Count + 1, Messages - reachedIt.Count).Select(i => (long)i), rest.Select(m => m.Seq));
    }


    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }
}
