using SseChat.Tests.Infrastructure;
using SseChat.Web.Operations;

namespace SseChat.Tests.Operations;

/// <summary>A subscriber dropped for not reading is counted, and its stream stops counting as open.</summary>
public sealed class SlowSubscriberMetricsTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["Chat:SubscriberBufferSize"] = "16",
})
{
    private const int MostMessages = 400;

    [Fact]
    public async Task A_stalled_subscriber_that_gets_dropped_is_counted_once()
    {
        using var instruments = new ChatInstruments(App);

        // The stalled client: a tiny socket receive buffer, and it reads nothing after the response headers.
        using var stalledHttp = StalledClient.Create(App.BaseAddress);
        using var stalled = await stalledHttp.GetAsync("stream/general", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(1, instruments.Observe("ssechat.streams.open", ChatMetrics.RoomTag, "general"));
        Assert.Equal(0, instruments.Observe("ssechat.subscribers.dropped"));

        // Large messages (4,000 CJK characters, 12 kB of UTF-8 each) fill its socket buffers and then its queue.
        var bulky = string.Concat(Enumerable.Repeat("满", 4000));
        using var client = App.CreateChatClient();
        for (var i = 0; i < MostMessages && instruments.Observe("ssechat.subscribers.dropped") == 0; i++)
        {
            await client.SendAsync("general", "ann", bulky);
        }

        Assert.Equal(1, await instruments.EventuallyAsync(1, "ssechat.subscribers.dropped"));
        Assert.Equal(0, await instruments.EventuallyAsync(0, "ssechat.streams.open", ChatMetrics.RoomTag, "general"));
    }
}
