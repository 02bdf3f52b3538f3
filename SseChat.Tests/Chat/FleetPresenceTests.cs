using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

/// <summary>
/// Presence and typing across nodes: two real apps on one SQLite file and one real Redis (a server of this test's
/// own, since presence keys are not prefixed per test), with a short TTL so that expiry shows within seconds.
/// </summary>
public sealed class FleetPresenceTests : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(500);
    // Only how long a failing test waits: generous, since the nodes share two cores with whatever else runs.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly StreamVisitor Ann = new("browser-ann", "Ann");
    private static readonly StreamVisitor Bob = new("browser-bob", "Bob");

    private readonly RedisServer redis = RedisServer.StartNew();
    private ChatApplication nodeA = null!;
    private ChatApplication nodeB = null!;

    // The client's own timeouts beyond RedisServer.MaxFreeze: a request that waited on a frozen Redis would wait
    // until the freeze ends. The connect timeout apart, as it otherwise follows syncTimeout, and a reconnect to a
    // restarted Redis would then wait that long.
    private Dictionary<string, string> Settings => new()
    {
        ["Backplane:Provider"] = "Redis",
        ["ConnectionStrings:Redis"] = $"{redis.ConnectionString},asyncTimeout=120000,syncTimeout=120000,connectTimeout=5000",
        ["Backplane:PresenceTtl"] = Ttl.ToString("c", CultureInfo.InvariantCulture),
        ["Backplane:PresenceRefreshInterval"] = Refresh.ToString("c", CultureInfo.InvariantCulture),
        ["Chat:PresenceLeaveGrace"] = "00:00:00.500",
    };

    public Task InitializeAsync()
    {
        var settings = Settings.ToDictionary(s => s.Key, s => (string?)s.Value);
        nodeA = new ChatApplication(settings);
        _ = nodeA.BaseAddress; // migrates the shared file before the second node opens it
        nodeB = new ChatApplication(settings, sharedDatabase: nodeA.Database);
        _ = nodeB.BaseAddress;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await nodeB.DisposeAsync();
        await nodeA.DisposeAsync();
        redis.Dispose();
    }

    [Fact]
    public async Task A_visitor_streaming_on_one_node_is_online_on_the_other_and_leaves_there_too()
    {
        await using var watcherOnB = await ConnectAsync(nodeB, visitor: null);
        Assert.Empty(await NextOnlineAsync(watcherOnB));

        var ann = await ConnectAsync(nodeA, Ann);
        Assert.Equal(["Ann"], await NextOnlineUntilAsync(watcherOnB, ["Ann"]));
        await using var bob = await ConnectAsync(nodeB, Bob);
        Assert.Equal(["Ann", "Bob"], await NextOnlineAsync(bob));
        Assert.Equal(["Ann", "Bob"], await NextOnlineUntilAsync(ann, ["Ann", "Bob"]));
        await using var anotherWatcherOnB = await ConnectAsync(nodeB, visitor: null);

        // The room list's and the admin page's online figures are the fleet's; the admin page's streams are B's own.
        using var visitor = nodeB.CreateChatClient();
        var rooms = await visitor.Http.GetFromJsonAsync<JsonElement>("rooms");
        Assert.Equal(2, rooms.EnumerateArray().Single(r => r.GetProperty("slug").GetString() == "general").GetProperty("online").GetInt32());
        using var admin = await AdminSession.SignInAsync(nodeB);
        var page = await admin.Client.GetDocumentAsync("admin");
        var row = Admin.RoomLifecycleTests.AdminRow(page, "general");
        Assert.Contains("this node", page.QuerySelector("#live-figures-title")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(("2", "3"), (Cell(row, "online"), Cell(row, "connected")));

        await ann.DisposeAsync();
        Assert.Equal(["Bob"], await NextOnlineUntilAsync(watcherOnB, ["Bob"]));
    }

    [Fact]
    public async Task Typing_on_one_node_shows_on_the_other_and_once_on_its_own()
    {
        await using var watcherOnA = await ConnectAsync(nodeA, visitor: null);
        await using var watcherOnB = await ConnectAsync(nodeB, visitor: null);
        await using var ann = await ConnectAsync(nodeA, Ann);
        await NextOnlineUntilAsync(watcherOnB, ["Ann"]); // both nodes share presence by now
        using var client = nodeA.CreateChatClient();

        // Typing crosses nodes at most once (Redis pub/sub): a few notices, as a page sends while its visitor types.
        SseItem<string>? shown = null;
        var sent = 0;
        for (; sent < 5 && shown is null; sent++)
        {
            using var response = await client.PostTypingAsync("general", "Ann");
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            shown = await NextOfTypeOrNullAsync(watcherOnB, SseFrames.TypingEventType, TimeSpan.FromSeconds(2));
        }

        Assert.NotNull(shown);
        using (var typing = JsonDocument.Parse(shown.Value.Data))
        {
            Assert.Equal("Ann", typing.RootElement.GetProperty("author").GetString());
        }
        // A's own streams get each notice once: A ignores its own notices coming back from Redis.
        for (var i = 0; i < sent; i++)
        {
            Assert.NotNull(await NextOfTypeOrNullAsync(watcherOnA, SseFrames.TypingEventType, Patience));
        }
        Assert.Null(await NextOfTypeOrNullAsync(watcherOnA, SseFrames.TypingEventType, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_node_killed_without_warning_leaves_the_other_nodes_lists_when_its_entries_expire()
    {
        using var nodeC = await ChatServerProcess.StartAsync(nodeA.Database, Settings);
        await using var watcherOnB = await ConnectAsync(nodeB, visitor: null);
        await using var bob = await ConnectAsync(nodeB, Bob);
        await using var carol = await SseSubscriber.ConnectAsync(
            nodeC.BaseAddress, "general", visitor: new StreamVisitor("browser-carol", "Carol"), includeEphemeral: true);
        Assert.Equal(["Bob", "Carol"], await NextOnlineUntilAsync(watcherOnB, ["Bob", "Carol"]));

        nodeC.Kill(); // no leave grace, no shutdown hook: only the expiry of its entries can take Carol off

        Assert.Equal(["Bob"], await NextOnlineUntilAsync(watcherOnB, ["Bob"]));
    }

    [Fact]
    public async Task A_frozen_Redis_blocks_no_stream_or_post_and_the_lists_fall_back_to_each_nodes_own_visitors()
    {
        await using var watcherOnB = await ConnectAsync(nodeB, visitor: null);
        await using var ann = await ConnectAsync(nodeA, Ann);
        await using var bob = await ConnectAsync(nodeB, Bob);
        Assert.Equal(["Ann", "Bob"], await NextOnlineUntilAsync(watcherOnB, ["Ann", "Bob"]));
        using var client = nodeA.CreateChatClient();
        await client.GetDocumentAsync("rooms/general"); // the antiforgery token, before Redis stops answering

        using (redis.Freeze())
        {
            // Were a request to wait on Redis, it would wait until the freeze ends (RedisServer.MaxFreeze, 60 s).
            var started = Stopwatch.GetTimestamp();
            using (var typing = await client.PostTypingAsync("general", "Ann"))
            {
                Assert.Equal(HttpStatusCode.NoContent, typing.StatusCode);
            }
            var sent = await client.SendAsync("general", "Ann", "still here");
            await using (var dan = await ConnectAsync(nodeA, new StreamVisitor("browser-dan", "Dan"), after: (sent.Seq - 1).ToString(CultureInfo.InvariantCulture)))
            {
                Assert.Equal(sent.Seq, SseSubscriber.ParseMessage(await NextOfTypeAsync(dan, SseFrames.MessageEventType)).Seq);
                Assert.Contains("Dan", await NextOnlineAsync(dan));
            }
            Assert.True(Stopwatch.GetElapsedTime(started) < RedisServer.MaxFreeze * 0.75, "a request waited on the frozen Redis");

            // B can no longer vouch for A's visitors: after the TTL it lists its own.
            Assert.Equal(["Bob"], await NextOnlineUntilAsync(watcherOnB, ["Bob"]));
        }

        Assert.Equal(["Ann", "Bob"], await NextOnlineUntilAsync(watcherOnB, ["Ann", "Bob"]));
    }

    [Fact]
    public async Task After_Redis_restarts_empty_every_node_shares_its_visitors_again()
    {
        await using var watcherOnB = await ConnectAsync(nodeB, visitor: null);
        await using var ann = await ConnectAsync(nodeA, Ann);
        Assert.Equal(["Ann"], await NextOnlineUntilAsync(watcherOnB, ["Ann"]));

        redis.Restart(); // every key, loaded script and subscription gone

        await using var bob = await ConnectAsync(nodeB, Bob);
        Assert.Equal(["Ann", "Bob"], await NextOnlineUntilAsync(ann, ["Ann", "Bob"]));
        Assert.Equal(["Ann", "Bob"], await NextOnlineUntilAsync(watcherOnB, ["Ann", "Bob"]));
        using var client = nodeA.CreateChatClient();
        SseItem<string>? shown = null;
        for (var sent = 0; sent < 5 && shown is null; sent++)
        {
            using var response = await client.PostTypingAsync("general", "Ann");
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            shown = await NextOfTypeOrNullAsync(watcherOnB, SseFrames.TypingEventType, TimeSpan.FromSeconds(2));
        }
        Assert.NotNull(shown);
    }

    private static string Cell(AngleSharp.Dom.IElement row, string column) => Admin.RoomLifecycleTests.Cell(row, column);

    private static Task<SseSubscriber> ConnectAsync(ChatApplication node, StreamVisitor? visitor, string? after = null) =>
        SseSubscriber.ConnectAsync(node.BaseAddress, "general", after: after, visitor: visitor, includeEphemeral: true);

    private static async Task<SseItem<string>> NextOfTypeAsync(SseSubscriber subscriber, string type, TimeSpan? timeout = null) =>
        await NextOfTypeOrNullAsync(subscriber, type, timeout ?? Patience)
        ?? throw new TimeoutException($"No {type} event within {timeout ?? Patience}.");

    private static async Task<SseItem<string>?> NextOfTypeOrNullAsync(SseSubscriber subscriber, string type, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; i < 1_000; i++)
        {
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }
            try
            {
                var item = await subscriber.NextAsync(remaining);
                if (item.EventType == type)
                {
                    return item;
                }
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
        throw new InvalidOperationException($"No {type} event among the first 1000.");
    }

    private static async Task<List<string>> NextOnlineAsync(SseSubscriber subscriber)
    {
        var item = await NextOfTypeAsync(subscriber, SseFrames.PresenceEventType);
        using var data = JsonDocument.Parse(item.Data);
        return [.. data.RootElement.GetProperty("online").EnumerateArray().Select(n => n.GetString()!)];
    }

    /// <summary>Reads presence snapshots until one lists <paramref name="expected"/>, which it returns; fails after a while.</summary>
    private static async Task<List<string>> NextOnlineUntilAsync(SseSubscriber subscriber, List<string> expected)
    {
        var seen = new List<string>();
        var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; i < 100 && Stopwatch.GetTimestamp() < deadline; i++)
        {
            var online = await NextOnlineAsync(subscriber);
            if (online.SequenceEqual(expected))
            {
                return online;
            }
            seen.Add($"[{string.Join(", ", online)}]");
        }
        throw new Xunit.Sdk.XunitException($"Never listed [{string.Join(", ", expected)}]; saw {string.Join(" ", seen)}.");
    }
}
