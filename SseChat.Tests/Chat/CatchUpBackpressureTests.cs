using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;
using SseChat.Web.Data;

namespace SseChat.Tests.Chat;

/// <summary>
/// A client catching up on a large room takes the server's bytes only as fast as it reads them: the server never
/// writes far ahead of it (Chat:StreamFlushThreshold), and drops it when it takes nothing for Chat:StreamDrainTimeout.
/// </summary>
public sealed class CatchUpBackpressureTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["Chat:StreamDrainTimeout"] = DrainTimeout,
})
{
    private const string DrainTimeout = "00:00:02";

    /// <summary>About 12 kB of UTF-8 per message: a replay page of 500 is 6 MB on the wire.</summary>
    private static readonly string Bulky = string.Concat(Enumerable.Repeat("满", 4000));

    [Fact]
    public async Task Slow_readers_catching_up_on_a_large_room_make_the_server_hold_little_for_them()
    {
        const int readers = 20;
        const long boundPerReader = 512 * 1024; // the old code held a whole page: 500 × 12 kB
        await using var app = new ChatApplication(new Dictionary<string, string?>
        {
            ["Chat:StreamDrainTimeout"] = "00:05:00", // they stay stuck, not dropped, while they are measured
        });
        await FillRoomAsync(app, messages: 600);
        using var kestrelMemory = new KestrelPoolMemory(app);

        // Each reader asks for the whole room, reads until the first event's bytes arrive (by then the old code had
        // written its whole first page), and stops reading, its socket's receive buffer tiny.
        var clients = new List<Socket>();
        try
        {
            for (var i = 0; i < readers; i++)
            {
                clients.Add(await OpenStalledStreamAsync(app.BaseAddress, "after=0", readUntil: "event: message"));
            }

            // Sampled a few times: whatever the server still writes for them afterwards must stay within the bound too.
            for (var sample = 0; sample < 5; sample++)
            {
                var held = kestrelMemory.Outstanding;
                Assert.True(held < readers * boundPerReader,
                    $"Kestrel holds {held:N0} bytes for {readers} stalled readers; at most {readers * boundPerReader:N0} expected.");
                await Task.Delay(TimeSpan.FromMilliseconds(400));
            }
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
        }
    }

    [Fact]
    public async Task A_catch_up_the_client_takes_nothing_of_within_the_drain_timeout_is_dropped_and_resumes_with_every_event_once()
    {
        const int messages = 300;
        await FillRoomAsync(App, messages);
        var broadcaster = App.Services.GetRequiredService<RoomBroadcaster>();

        // Nobody posts: only the drain timeout can let go of this stream, whose replay fills its socket.
        using var stalledHttp = StalledClient.Create(App.BaseAddress);
        using var stalled = await stalledHttp.GetAsync("stream/general?after=0", HttpCompletionOption.ResponseHeadersRead);
        await Eventually.TrueAsync(() => broadcaster.CountSubscribers(1) == 1, "the stalled stream subscribed");
        await Eventually.TrueAsync(() => broadcaster.CountSubscribers(1) == 0, "the stalled stream dropped", TimeSpan.FromSeconds(60));

        // What reached it before the drop is a gap-free prefix, and the connection has ended.
        var reachedIt = await StalledClient.ReadIdsUntilDroppedAsync(stalled);
        Assert.True(reachedIt.Count < messages, "the stalled client cannot have received everything");
        Assert.Equal(Enumerable.Range(1, reachedIt.Count).Select(i => (long)i), reachedIt);

        // Resuming from its Last-Event-ID, it gets the rest exactly once.
        var lastId = reachedIt.Count == 0 ? "0" : reachedIt[^1].ToString(CultureInfo.InvariantCulture);
        await using var resumed = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", lastEventId: lastId, after: "0");
        var rest = await resumed.ReadMessagesThroughAsync(messages, TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(reachedIt.Count + 1, messages - reachedIt.Count).Select(i => (long)i), rest.Select(m => m.Seq));
    }

    /// <summary>Stores <paramref name="messages"/> bulky messages in the general room straight through EF, as the writer would.</summary>
    private static async Task FillRoomAsync(ChatApplication app, int messages)
    {
        await using var db = app.CreateDbContext();
        var room = await db.Rooms.SingleAsync(r => r.Slug == Room.GeneralSlug);
        var now = DateTime.UtcNow;
        for (var seq = room.LastSeq + 1; seq <= room.LastSeq + messages; seq++)
        {
            db.Add(new RoomEvent { RoomId = room.Id, Seq = seq, Kind = RoomEventKind.Message, CreatedAt = now, Author = "ann", Text = Bulky });
        }
        room.LastSeq += messages;
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Opens a stream on a raw socket with a tiny receive buffer, reads until <paramref name="readUntil"/> has arrived,
    /// then reads nothing more. HttpClient would read ahead into buffers of its own.
    /// </summary>
    private static async Task<Socket> OpenStalledStreamAsync(Uri baseAddress, string query, string readUntil)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(baseAddress.Host, baseAddress.Port, timeout.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes(
                $"GET /stream/general?{query} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nAccept: text/event-stream\r\n\r\n"), timeout.Token);
            var received = new StringBuilder();
            var buffer = new byte[1024];
            while (!received.ToString().Contains(readUntil, StringComparison.Ordinal))
            {
                var read = await socket.ReceiveAsync(buffer, timeout.Token);
                Assert.True(read > 0, "the stream ended before its first event");
                received.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What Kestrel has rented from its memory pool and not given back, i.e. what it buffers for connections, read from
    /// the pool's own instruments (allocated − pooled − evicted), counted from when this reader was made.
    /// </summary>
    private sealed class KestrelPoolMemory : IDisposable
    {
        private const string Meter = "Microsoft.AspNetCore.MemoryPool";
        private readonly MetricCollector<long> allocated;
        private readonly MetricCollector<long> pooled;
        private readonly MetricCollector<long> evicted;

        public KestrelPoolMemory(ChatApplication app)
        {
            var meterFactory = app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
            allocated = new MetricCollector<long>(meterFactory, Meter, "aspnetcore.memory_pool.allocated");
            pooled = new MetricCollector<long>(meterFactory, Meter, "aspnetcore.memory_pool.pooled");
            evicted = new MetricCollector<long>(meterFactory, Meter, "aspnetcore.memory_pool.evicted");
        }

        public long Outstanding => Sum(allocated) - Sum(pooled) - Sum(evicted);

        public void Dispose()
        {
            allocated.Dispose();
            pooled.Dispose();
            evicted.Dispose();
        }

        private static long Sum(MetricCollector<long> collector) => collector.GetMeasurementSnapshot().Sum(m => m.Value);
    }
}
