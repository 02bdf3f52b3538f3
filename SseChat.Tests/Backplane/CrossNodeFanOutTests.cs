using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Backplane;
using SseChat.Web.Chat;
using StackExchange.Redis;

namespace SseChat.Tests.Backplane;

/// <summary>
/// Two nodes (two real apps on Kestrel) sharing one SQLite file and one real Redis, Backplane:Provider=Redis: what one
/// node commits reaches the other node's streams exactly once and in order, whatever happens to the notices or to
/// Redis, because the order and the content come from the database and the notices only ring the bell.
/// </summary>
public sealed class CrossNodeFanOutTests
{
    /// <summary>Long enough that only a notice can deliver within a test's wait.</summary>
    private static readonly TimeSpan NoPoll = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan ShortPoll = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Posts_on_one_node_reach_the_other_nodes_streams_once_in_order_by_notice()
    {
        await using var nodes = await TwoNodes.StartAsync(RedisServer.Shared, NoPoll);
        var streams = new List<SseSubscriber>();
        for (var i = 0; i < 4; i++)
        {
            streams.Add(await SseSubscriber.ConnectAsync(nodes.B.BaseAddress, "general", after: "0"));
        }
        try
        {
            using var client = nodes.A.CreateChatClient();
            for (var i = 1; i <= 40; i++)
            {
                await client.SendAsync("general", "ann", $"m{i}");
            }
            foreach (var stream in streams)
            {
                await ExpectExactlyAsync(stream, 1, 40);
            }
            // The streams did not each read the database: node B's feed did, at most once per notice.
            Assert.InRange(nodes.B.Services.GetRequiredService<RoomFeed>().CatchUpReads, 1, 40);
            Assert.Equal(0, nodes.A.Services.GetRequiredService<RoomFeed>().CatchUpReads);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task With_every_notice_dropped_the_head_poll_delivers_everything()
    {
        await using var nodes = await TwoNodes.StartAsync(RedisServer.Shared, ShortPoll, chaosOnB: NoticeChaos.DropAll);
        await using var stream = await SseSubscriber.ConnectAsync(nodes.B.BaseAddress, "general", after: "0");
        using var client = nodes.A.CreateChatClient();
        for (var i = 1; i <= 10; i++)
        {
            await client.SendAsync("general", "ann", $"m{i}");
        }
        // The poll runs every half second; the wait is generous for a loaded machine, and nothing but the poll can
        // deliver here (no notice arrives, and no later local commit on B reveals a hole).
        await ExpectExactlyAsync(stream, 1, 10, TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(NoticeChaos.DropHalf)]
    [InlineData(NoticeChaos.Duplicate)]
    [InlineData(NoticeChaos.Reorder)]
    public async Task Lost_duplicated_or_reordered_notices_still_give_exactly_once_in_order(NoticeChaos chaos)
    {
        await using var nodes = await TwoNodes.StartAsync(RedisServer.Shared, TimeSpan.FromSeconds(1), chaosOnB: chaos);
        await nodes.A.AddRoomAsync("side");
        await using var stream = await SseSubscriber.ConnectAsync(nodes.B.BaseAddress, "general", after: "0");
        await using var side = await SseSubscriber.ConnectAsync(nodes.B.BaseAddress, "side", after: "0");
        // Writers on both nodes, one post at a time, so notices of two rooms and two nodes interleave.
        using var onA = nodes.A.CreateChatClient();
        using var onB = nodes.B.CreateChatClient();
        for (var i = 1; i <= 30; i++)
        {
            await (i % 3 == 0 ? onB : onA).SendAsync("general", "ann", $"m{i}");
            if (i % 2 == 0)
            {
                await (i % 4 == 0 ? onB : onA).SendAsync("side", "bob", $"s{i}");
            }
        }
        await ExpectExactlyAsync(stream, 1, 30, TimeSpan.FromSeconds(20));
        await ExpectExactlyAsync(side, 1, 15, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_frozen_Redis_slows_no_post_and_delivery_resumes()
    {
        using var redis = RedisServer.StartNew();
        await using var nodes = await TwoNodes.StartAsync(redis, ShortPoll);
        await using var stream = await SseSubscriber.ConnectAsync(nodes.B.BaseAddress, "general", after: "0");
        using var client = nodes.A.CreateChatClient();
        await client.SendAsync("general", "ann", "m1");
        await ExpectExactlyAsync(stream, 1, 1);

        var durations = new List<TimeSpan>();
        using (redis.Freeze())
        {
            var frozenUntil = Stopwatch.StartNew();
            var seq = 1;
            while (frozenUntil.Elapsed < TimeSpan.FromSeconds(5))
            {
                var started = Stopwatch.GetTimestamp();
                await client.SendAsync("general", "ann", $"m{++seq}");
                durations.Add(Stopwatch.GetElapsedTime(started));
                await Task.Delay(20);
            }
            // Frozen, yet B's listeners get A's events: the head poll reads the database.
            await ExpectExactlyAsync(stream, 2, seq, TimeSpan.FromSeconds(10));
        }
        durations.Sort();
        var p99 = durations[(int)Math.Ceiling(durations.Count * 0.99) - 1];
        // The bound that matters: no POST waited for Redis (its own timeout is 5 s). A generous 1 s for a busy machine.
        Assert.True(p99 < TimeSpan.FromSeconds(1), $"POST p99 while Redis was frozen: {p99.TotalMilliseconds:0} ms over {durations.Count} posts");

        var last = durations.Count + 1;
        await client.SendAsync("general", "ann", "after the thaw");
        await ExpectExactlyAsync(stream, last + 1, last + 1, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Redis_killed_and_restarted_loses_nothing_and_readiness_says_degraded_meanwhile()
    {
        using var redis = RedisServer.StartNew();
        await using var nodes = await TwoNodes.StartAsync(redis, ShortPoll);
        await using var stream = await SseSubscriber.ConnectAsync(nodes.B.BaseAddress, "general", after: "0");
        using var client = nodes.A.CreateChatClient();
        using var probe = new HttpClient { BaseAddress = nodes.B.BaseAddress };
        for (var i = 1; i <= 3; i++)
        {
            await client.SendAsync("general", "ann", $"m{i}");
        }
        await ExpectExactlyAsync(stream, 1, 3);
        Assert.Equal("Healthy", await probe.GetStringAsync("readyz"));

        redis.Kill();
        await Eventually.TrueAsync(
            async () => await ReadinessAsync(probe) == (HttpStatusCode.OK, "Degraded"), "node B reports the backplane degraded");
        for (var i = 4; i <= 6; i++)
        {
            await client.SendAsync("general", "ann", $"m{i}"); // stored and answered with Redis gone
        }
        await ExpectExactlyAsync(stream, 4, 6, TimeSpan.FromSeconds(10));

        redis.Restart();
        await Eventually.TrueAsync(
            async () => await ReadinessAsync(probe) == (HttpStatusCode.OK, "Healthy"), "node B reconnected", TimeSpan.FromSeconds(30));
        await nodes.WaitForSubscriptionsAsync();
        for (var i = 7; i <= 9; i++)
        {
            await client.SendAsync("general", "ann", $"m{i}");
        }
        await ExpectExactlyAsync(stream, 7, 9, TimeSpan.FromSeconds(10));
    }

    private static async Task<(HttpStatusCode, string)> ReadinessAsync(HttpClient probe)
    {
        using var response = await probe.GetAsync("readyz");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The stream's next persisted events are exactly first..last, each once, in order.</summary>
    private static async Task ExpectExactlyAsync(SseSubscriber stream, long first, long last, TimeSpan? timeout = null)
    {
        var received = await stream.ReadMessagesThroughAsync(last, timeout ?? TimeSpan.FromSeconds(10));
        Assert.Equal(SeqRange.Seqs(first, last), received.Select(m => m.Seq));
    }

    /// <summary>Node A and node B: one database (the run's provider), one Redis.</summary>
    private sealed class TwoNodes(ChatApplication a, ChatApplication b, string redis) : IAsyncDisposable
    {
        public ChatApplication A { get; } = a;

        public ChatApplication B { get; } = b;

        public static async Task<TwoNodes> StartAsync(RedisServer redis, TimeSpan headPoll, NoticeChaos chaosOnB = NoticeChaos.None)
        {
            var a = new ChatApplication(Settings(redis.ConnectionString, headPoll, NoticeChaos.None));
            _ = a.BaseAddress; // started (and migrated) before the second node opens the file
            var b = new ChatApplication(Settings(redis.ConnectionString, headPoll, chaosOnB), sharedDatabase: a.Database);
            _ = b.BaseAddress;
            var nodes = new TwoNodes(a, b, redis.ConnectionString);
            await nodes.WaitForSubscriptionsAsync();
            return nodes;
        }

        /// <summary>Until both nodes listen on the notice channel: a notice sent before that is heard by nobody.</summary>
        public async Task WaitForSubscriptionsAsync()
        {
            await using var observer = await ConnectionMultiplexer.ConnectAsync(redis);
            var server = observer.GetServers()[0];
            await Eventually.TrueAsync(
                async () => await server.SubscriptionSubscriberCountAsync(RedisChannel.Literal(RoomNotice.Channel)) == 2,
                "both nodes subscribed to the room notices", TimeSpan.FromSeconds(30));
        }

        private static Dictionary<string, string?> Settings(string redis, TimeSpan headPoll, NoticeChaos chaos) => new()
        {
            ["Backplane:Provider"] = "Redis",
            ["ConnectionStrings:Redis"] = redis,
            ["Backplane:HeadPollInterval"] = headPoll.ToString("c", CultureInfo.InvariantCulture),
            ["Backplane:NoticeChaos"] = chaos.ToString(),
        };

        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }
}
