using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;
using Xunit.Abstractions;

using static SseChat.Tests.Infrastructure.SeqRange;

namespace SseChat.Tests.Chat;

/// <summary>
/// A thousand subscribers lose their connections at the same moment (a proxy restarts, a network blips) and all
/// come back at once with their Last-Event-ID while posts go on: every one catches up with no gap and no duplicate,
/// posting keeps working, and the server keeps answering. Replays queue for Chat:MaxConcurrentReplays turns (4
/// here) instead of piling a thousand queries onto SQLite. The server is its own process, as in production.
/// </summary>
public sealed class ReconnectStormTests : IDisposable
{
    private const int Subscribers = 1_000;
    private const string Room = "general";

    private readonly ITestOutputHelper log;
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ssechat-storm-");
    private readonly ChatDatabase database;

    public ReconnectStormTests(ITestOutputHelper log)
    {
        this.log = log;
        database = ChatDatabase.CreateForRun(folder, "storm");
    }

    [Fact]
    public async Task Thousand_subscribers_reconnecting_at_once_catch_up_without_gap_or_duplicate()
    {
        var clock = Stopwatch.StartNew();
        using var server = await ChatServerProcess.StartAsync(database, new Dictionary<string, string>
        {
            ["Chat:MaxConcurrentReplays"] = "4",
            ["Chat:MaxStreamsPerClient"] = "5000", // every test client is 127.0.0.1
            ["Chat:MaxStreams"] = "5000",
            ["RateLimits:StreamPermitLimit"] = "100000",
        });
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue })
        {
            BaseAddress = server.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        using var poster = server.CreateChatClient();
        // Connected before the storm, so that its probe during the storm measures the server, not the listen
        // backlog that a thousand simultaneous connects overflow.
        using var prober = new HttpClient { BaseAddress = server.BaseAddress };
        (await prober.GetAsync("healthz")).Dispose();
        var listeners = Enumerable.Range(0, Subscribers).Select(_ => new Listener(http)).ToArray();

        // Connected in batches: the listen backlog would drop a thousand SYNs arriving together (the reconnect below
        // does exactly that, and must cope).
        foreach (var batch in listeners.Chunk(100))
        {
            await Task.WhenAll(batch.Select(l => l.ConnectAsync(lastEventId: null)));
        }
        long last = 0;
        for (var i = 0; i < 10; i++)
        {
            last = (await poster.SendAsync(Room, "ann", $"before the storm {i}")).Seq;
        }
        await AllReachAsync(listeners, last);
        log.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {Subscribers} subscribers live through seq {last}.");

        // Posts go on through the whole storm, each one a 201.
        using var stopPosting = new CancellationTokenSource();
        var posting = Task.Run(async () =>
        {
            long lastPosted = 0;
            for (var i = 0; i < 500 && !stopPosting.IsCancellationRequested; i++)
            {
                lastPosted = (await poster.SendAsync(Room, "bob", $"during the storm {i}")).Seq;
                await Task.Delay(20);
            }
            return lastPosted;
        });

        // Everyone drops at the same moment, and comes back at once with the id it last saw.
        await Task.WhenAll(listeners.Select(l => l.DropAsync()));
        var reconnecting = Task.WhenAll(listeners.Select(l => l.ConnectAsync(l.LastEventId)));

        // Meanwhile the server answers, and posting goes on.
        var pinged = Stopwatch.StartNew();
        using (var health = await prober.GetAsync("healthz").WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        log.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: /healthz answered in {pinged.ElapsedMilliseconds} ms during the storm.");
        await reconnecting.WaitAsync(TimeSpan.FromSeconds(120));
        log.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: all {Subscribers} reconnected.");
        Assert.False(posting.IsCompleted, "posting stopped during the storm");

        await stopPosting.CancelAsync();
        last = await posting.WaitAsync(TimeSpan.FromSeconds(30));
        last = (await poster.SendAsync(Room, "ann", "after the storm")).Seq;
        await AllReachAsync(listeners, last);
        await Task.WhenAll(listeners.Select(l => l.DropAsync()));
        log.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: all caught up through seq {last}.");

        // Across both connections, each saw every event exactly once, in order.
        Assert.All(listeners, l => Assert.Equal(Seqs(1, last), l.Seqs));
    }

    private static async Task AllReachAsync(Listener[] listeners, long seq)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (listeners.Any(l => l.LastSeq < seq))
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"{listeners.Count(l => l.LastSeq < seq)} subscribers never reached seq {seq}");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        database.DropIfPostgres();
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    /// <summary>One subscriber, like a browser's EventSource: it remembers the seqs it got and reconnects with the last.</summary>
    private sealed class Listener(HttpClient http)
    {
        private CancellationTokenSource? drop;
        private Task reading = Task.CompletedTask;
        private long lastSeq;

        /// <summary>Every message seq received, over all connections. Read it only between connections.</summary>
        public List<long> Seqs { get; } = [];

        public long LastSeq => Volatile.Read(ref lastSeq);

        public string? LastEventId => LastSeq == 0 ? null : LastSeq.ToString(CultureInfo.InvariantCulture);

        public async Task ConnectAsync(string? lastEventId)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, lastEventId is null ? $"stream/{Room}?after=0" : $"stream/{Room}");
            request.Headers.Accept.ParseAdd("text/event-stream");
            if (lastEventId is not null)
            {
                request.Headers.Add("Last-Event-ID", lastEventId);
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            drop = new CancellationTokenSource();
            reading = ReadAsync(response, body, drop.Token);
        }

        public async Task DropAsync()
        {
            await drop!.CancelAsync();
            await reading;
            drop.Dispose();
        }

        private async Task ReadAsync(HttpResponseMessage response, Stream body, CancellationToken dropped)
        {
            try
            {
                await foreach (var item in SseParser.Create(body).EnumerateAsync(dropped))
                {
                    if (item.EventType == SseFrames.MessageEventType)
                    {
                        var seq = long.Parse(item.EventId!, CultureInfo.InvariantCulture);
                        Seqs.Add(seq);
                        Volatile.Write(ref lastSeq, seq);
                    }
                }
            }
            catch (OperationCanceledException) when (dropped.IsCancellationRequested)
            {
                // Dropped on purpose: the connection goes with the response below.
            }
            finally
            {
                response.Dispose();
            }
        }
    }
}
