using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

/// <summary>Invariant 4: a subscriber that stops reading (or reads a byte a second) never delays the others, and resumes later.</summary>
public sealed class SlowConsumerTests() : ChatAppTests(new Dictionary<string, string?>
{
    // Small enough that megabytes of unread frames fill it, large enough that a healthy reader on a busy CI machine
    // (a GC or scheduling pause of a few hundred milliseconds at a thousand messages a second) is never dropped.
    ["Chat:SubscriberBufferSize"] = BufferSize.ToString(CultureInfo.InvariantCulture),
    ["RateLimits:PostPermitLimit"] = "100000", // every poster here is 127.0.0.1
})
{
    private const int BufferSize = 256;
    private const int Messages = 400;

    [Fact]
    public void Presence_and_typing_notices_never_drop_a_subscriber_whose_queue_is_full_but_events_do()
    {
        var broadcaster = App.Services.GetRequiredService<RoomBroadcaster>();
        using var busy = broadcaster.Subscribe(roomId: 1);

        // Four times the queue of chatter, none of it read: the subscriber is kept, its queue full.
        for (var i = 0; i < 4 * BufferSize; i++)
        {
            broadcaster.Publish(1, i % 2 == 0 ? SseFrames.Presence(["Ann", $"Guest {i}"], 2) : SseFrames.Typing("Ann", TimeSpan.FromSeconds(5)));
        }
        Assert.False(busy.IsDropped);
        Assert.Equal(BufferSize, busy.Frames.Count);

        // Anything that is not chatter finds the queue full: now it is too far behind, and dropped.
        broadcaster.Publish(1, SseFrames.Heartbeat);
        Assert.True(busy.IsDropped);
    }

    [Fact]
    public async Task Stalled_subscriber_is_dropped_without_delaying_others_and_resumes_from_its_last_id()
    {
        var baseAddress = App.BaseAddress;
        var broadcaster = App.Services.GetRequiredService<RoomBroadcaster>();

        // The stalled client: a tiny socket receive buffer, and it reads nothing after the response headers.
        using var stalledHttp = StalledClient.Create(baseAddress);
        using var stalled = await stalledHttp.GetAsync("stream/general?after=0", HttpCompletionOption.ResponseHeadersRead);
        await using var healthy = await SseSubscriber.ConnectAsync(baseAddress, "general", after: "0");
        await Eventually.TrueAsync(() => broadcaster.CountSubscribers(1) == 2, "both subscribers registered");

        // Large messages (4,000 CJK characters, 12 kB of UTF-8 each) fill the stalled client's socket buffers fast.
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
        await Eventually.TrueAsync(() => broadcaster.CountSubscribers(1) == 1, "the stalled subscriber dropped");

        // Now the stalled client reads what reached it before the drop; the connection has ended.
        var reachedIt = await StalledClient.ReadIdsUntilDroppedAsync(stalled);
        Assert.True(reachedIt.Count < Messages, "the stalled client cannot have received everything");
        Assert.Equal(Enumerable.Range(1, reachedIt.Count).Select(i => (long)i), reachedIt);

        var lastId = reachedIt.Count == 0 ? "0" : reachedIt[^1].ToString(CultureInfo.InvariantCulture);
        await using var resumed = await SseSubscriber.ConnectAsync(baseAddress, "general", lastEventId: lastId);
        var rest = await resumed.ReadMessagesThroughAsync(Messages);
        Assert.Equal(Enumerable.Range(reachedIt.Count + 1, Messages - reachedIt.Count).Select(i => (long)i), rest.Select(m => m.Seq));
    }

    [Fact]
    public async Task Subscribers_that_never_read_or_read_a_byte_a_second_are_dropped_while_others_get_thousands()
    {
        const int messages = 2_000;
        var baseAddress = App.BaseAddress;
        var broadcaster = App.Services.GetRequiredService<RoomBroadcaster>();

        using var stalledHttp = StalledClient.Create(baseAddress);
        using var stalled = await stalledHttp.GetAsync("stream/general?after=0", HttpCompletionOption.ResponseHeadersRead);
        using var stopTrickling = new CancellationTokenSource();
        var trickle = ReadAByteASecondAsync(baseAddress, stopTrickling.Token);
        await using var healthy = await SseSubscriber.ConnectAsync(baseAddress, "general", after: "0");
        await using var alsoHealthy = await SseSubscriber.ConnectAsync(baseAddress, "general", after: "0");
        await Eventually.TrueAsync(() => broadcaster.CountSubscribers(1) == 4, "all four subscribers registered");

        // Every fifth message is bulky (4,000 CJK characters, 12 kB of UTF-8): the server's socket buffers grow to
        // megabytes, and only that much data fills them behind a client that does not read.
        var bulky = string.Concat(Enumerable.Repeat("满", 4000));
        var small = new string('m', 200);
        var receiving = Task.WhenAll(
            healthy.ReadMessagesThroughAsync(messages, TimeSpan.FromSeconds(90)),
            alsoHealthy.ReadMessagesThroughAsync(messages, TimeSpan.FromSeconds(90)));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async poster =>
        {
            using var client = App.CreateChatClient();
            for (var i = 0; i < messages / 4; i++)
            {
                await client.SendAsync("general", $"poster{poster}", i % 5 == 0 ? bulky : small);
            }
        }));

        // The healthy ones got every message, in order, however slow the other two were.
        foreach (var received in await receiving)
        {
            Assert.Equal(Enumerable.Range(1, messages).Select(i => (long)i), received.Select(m => m.Seq));
        }
        // Both slow ones were let go (their queues filled), so they hold no memory and no place in the fan-out.
        await Eventually.TrueAsync(() => broadcaster.CountSubscribers(1) == 2, "the slow subscribers dropped");
        await stopTrickling.CancelAsync();
        Assert.InRange(await trickle, 1, 120); // it really was reading, a byte a second, all along

        // Like EventSource, it comes back with the URL's after=0 (it never got a whole event) and misses nothing.
        await using var resumed = await SseSubscriber.ConnectAsync(baseAddress, "general", after: "0");
        var all = await resumed.ReadMessagesThroughAsync(messages);
        Assert.Equal(Enumerable.Range(1, messages).Select(i => (long)i), all.Select(m => m.Seq));
    }

    /// <summary>
    /// Asks for the stream on a raw socket with a tiny receive buffer and reads one byte a second from the socket
    /// itself (HttpClient would read kilobytes into its own buffer and hand them out a byte at a time), until told
    /// to stop or the connection ends. Returns how many bytes it read.
    /// </summary>
    private static async Task<int> ReadAByteASecondAsync(Uri baseAddress, CancellationToken stop)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(baseAddress.Host, baseAddress.Port, stop);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET /stream/general?after=0 HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nAccept: text/event-stream\r\n\r\n"), stop);
        var read = 0;
        var oneByte = new byte[1];
        try
        {
            for (var i = 0; i < 120; i++)
            {
                if (await socket.ReceiveAsync(oneByte, stop) == 0)
                {
                    break;
                }
                read++;
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The test has seen what it needed.
        }
        catch (SocketException)
        {
            // The server aborted the connection: what dropping a slow subscriber looks like.
        }
        return read;
    }
}
