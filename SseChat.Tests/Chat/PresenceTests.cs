using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

/// <summary>
/// Who is online and who is typing, over real streams: id-less events that never replay, a leave announced only
/// after the grace period, the capped list, the typing route's answers and the room list's counts.
/// </summary>
public sealed class PresenceTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["Chat:PresenceLeaveGrace"] = "00:00:01",
    ["Chat:PresenceMaxNames"] = "2",
    ["Chat:TypingExpiry"] = "00:00:04",
    ["RateLimits:TypingPermitLimit"] = "5",
    ["RateLimits:TypingWindow"] = "00:01:00",
})
{
    private static readonly StreamVisitor Ann = new("browser-ann", "Ann");
    private static readonly StreamVisitor Bob = new("browser-bob", "Bob");

    [Fact]
    public async Task Named_streams_appear_in_the_presence_events_of_everyone_in_the_room()
    {
        await using var ann = await ConnectAsync(Ann);
        Assert.Equal(["Ann"], await NextOnlineAsync(ann));

        await using var bob = await ConnectAsync(Bob);
        Assert.Equal(["Ann", "Bob"], await NextOnlineAsync(bob));
        Assert.Equal(["Ann", "Bob"], await NextOnlineAsync(ann));

        // A second tab of Ann's browser is the same visitor: nothing changes, so nothing is sent.
        await using var annAgain = await ConnectAsync(Ann);
        Assert.Equal(["Ann", "Bob"], await NextOnlineAsync(annAgain));
        await AssertNoPresenceWithinAsync(ann, TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task A_leave_is_announced_after_the_grace_period_and_a_quick_reconnect_is_no_leave_at_all()
    {
        await using var watcher = await ConnectAsync(visitor: null);
        Assert.Empty(await NextOnlineAsync(watcher));
        var bob = await ConnectAsync(Bob);
        Assert.Equal(["Bob"], await NextOnlineAsync(watcher));

        // A reload: the stream closes and a new one opens well within the 1 s grace.
        await bob.DisposeAsync();
        bob = await ConnectAsync(Bob);
        await AssertNoPresenceWithinAsync(watcher, TimeSpan.FromMilliseconds(1_500));

        await bob.DisposeAsync();
        var closed = DateTime.UtcNow;
        Assert.Empty(await NextOnlineAsync(watcher, TimeSpan.FromSeconds(5)));
        Assert.True(DateTime.UtcNow - closed >= TimeSpan.FromMilliseconds(900), "the leave came before the grace period ended");
    }

    [Fact]
    public async Task The_list_is_capped_by_configuration_while_count_says_how_many_are_online()
    {
        await using var carol = await ConnectAsync(new StreamVisitor("browser-carol", "carol"));
        await using var bob = await ConnectAsync(Bob);
        await using var ann = await ConnectAsync(Ann);

        using var presence = JsonDocument.Parse((await NextOfTypeAsync(ann, SseFrames.PresenceEventType)).Data);
        Assert.Equal(["Ann", "Bob"], presence.RootElement.GetProperty("online").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(3, presence.RootElement.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Presence_and_typing_frames_carry_no_id_line_on_the_wire()
    {
        using var client = App.CreateChatClient();
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var response = await http.GetAsync("stream/general?after=0&name=Ann&client=browser-ann", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var sent = await client.SendAsync("general", "Ann", "hello");
        using (var typing = await client.PostTypingAsync("general", "Bob"))
        {
            Assert.Equal(HttpStatusCode.NoContent, typing.StatusCode);
        }

        var raw = await ReadUntilAsync(body, "event: typing\n", TimeSpan.FromSeconds(10));
        raw += await ReadUntilAsync(body, "\n\n", TimeSpan.FromSeconds(5));
        var blocks = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("event: presence\ndata: {\"online\":[\"Ann\"],\"count\":1,\"admin\":[false]}", blocks);
        Assert.Contains("event: typing\ndata: {\"author\":\"Bob\",\"expiresInMs\":4000}", blocks);
        Assert.Contains(blocks, b => b.StartsWith("event: message\n", StringComparison.Ordinal) && b.EndsWith($"\nid: {sent.Seq}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ephemeral_events_leave_the_cursor_alone_and_never_replay()
    {
        using var client = App.CreateChatClient();
        await using (var first = await ConnectAsync(Ann, after: "0"))
        {
            var one = await client.SendAsync("general", "Ann", "one");
            using (var typing = await client.PostTypingAsync("general", "Ann"))
            {
                Assert.Equal(HttpStatusCode.NoContent, typing.StatusCode);
            }
            var typed = await NextOfTypeAsync(first, SseFrames.TypingEventType);
            Assert.True(string.IsNullOrEmpty(typed.EventId));
            Assert.Equal(one.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), first.LastEventId);
        }

        var two = await client.SendAsync("general", "Bob", "two");
        await using var resumed = await ConnectAsync(Ann, lastEventId: "1");
        // The missed message, then the current presence snapshot; the typing notice is gone for good.
        Assert.Equal(two.Seq, SseSubscriber.ParseMessage(await resumed.NextAsync()).Seq);
        Assert.Equal(SseFrames.PresenceEventType, (await resumed.NextAsync()).EventType);
        await Assert.ThrowsAsync<TimeoutException>(() => resumed.NextAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Typing_route_answers_like_the_rest_of_the_room()
    {
        using var client = App.CreateChatClient();
        await App.AddRoomAsync("quiet");

        using var blank = await client.PostTypingAsync("general", "   ");
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        using (var problem = JsonDocument.Parse(await blank.Content.ReadAsStringAsync()))
        {
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("author", out _));
        }
        using var unknown = await client.PostTypingAsync("no-such-room", "Ann", tokenFrom: "general");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var tokenless = await client.Http.PostAsync("rooms/general/typing", new FormUrlEncodedContent([new("author", "Ann")]));
        Assert.Equal(HttpStatusCode.BadRequest, tokenless.StatusCode);

        await using (var db = App.CreateDbContext())
        {
            db.Rooms.Single(r => r.Slug == "quiet").IsArchived = true;
            await db.SaveChangesAsync();
        }
        using var archived = await client.PostTypingAsync("quiet", "Ann");
        Assert.Equal(HttpStatusCode.Conflict, archived.StatusCode);
    }

    [Fact]
    public async Task Typing_notices_beyond_the_configured_allowance_get_429()
    {
        using var client = App.CreateChatClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.PostTypingAsync("general", "Ann");
            statuses.Add(response.StatusCode);
        }
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.NoContent, 5), HttpStatusCode.TooManyRequests], statuses);
    }

    [Theory]
    [InlineData("name=Ann", "client")]
    [InlineData("client=abc", "name")]
    [InlineData("name=Ann&client=a%20b", "client")]
    [InlineData("name=Ann%01&client=abc", "name")]
    [InlineData("name=123456789012345678901234567890123&client=abc", "name")]
    public async Task A_bad_name_or_client_on_the_stream_gets_400_naming_it(string query, string field)
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var response = await http.GetAsync($"stream/general?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}");
    }

    [Fact]
    public async Task The_room_list_shows_how_many_are_online_in_each_room()
    {
        await App.AddRoomAsync("quiet");
        await using var ann = await ConnectAsync(Ann);
        await using var bob = await ConnectAsync(Bob);
        await using var annElsewhere = await ConnectAsync(Ann, slug: "quiet");
        using var client = App.CreateChatClient();

        var home = await client.GetDocumentAsync("");

        var counts = home.QuerySelectorAll("#rooms a").ToDictionary(
            a => a.GetAttribute("href")!, a => a.QuerySelector(".room-online")!.GetAttribute("data-online"));
        Assert.Equal(new Dictionary<string, string?> { ["/rooms/general"] = "2", ["/rooms/quiet"] = "1" }, counts);
    }

    private Task<SseSubscriber> ConnectAsync(
        StreamVisitor? visitor, string? after = null, string? lastEventId = null, string slug = "general") =>
        SseSubscriber.ConnectAsync(App.BaseAddress, slug, lastEventId, after, visitor: visitor, includeEphemeral: true);

    private static async Task<SseItem<string>> NextOfTypeAsync(SseSubscriber subscriber, string type, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        for (var i = 0; i < 1_000; i++)
        {
            var remaining = deadline - DateTime.UtcNow;
            var item = await subscriber.NextAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            if (item.EventType == type)
            {
                return item;
            }
        }
        throw new InvalidOperationException($"No {type} event among the first 1000.");
    }

    private static async Task<List<string>> NextOnlineAsync(SseSubscriber subscriber, TimeSpan? timeout = null)
    {
        var item = await NextOfTypeAsync(subscriber, SseFrames.PresenceEventType, timeout);
        Assert.True(string.IsNullOrEmpty(item.EventId));
        using var data = JsonDocument.Parse(item.Data);
        return [.. data.RootElement.GetProperty("online").EnumerateArray().Select(n => n.GetString()!)];
    }

    private static async Task AssertNoPresenceWithinAsync(SseSubscriber subscriber, TimeSpan window)
    {
        var error = await Record.ExceptionAsync(() => NextOfTypeAsync(subscriber, SseFrames.PresenceEventType, window));
        Assert.IsType<TimeoutException>(error);
    }

    private static async Task<string> ReadUntilAsync(Stream body, string marker, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var text = new StringBuilder();
        var buffer = new byte[1];
        while (!text.ToString().EndsWith(marker, StringComparison.Ordinal))
        {
            if (await body.ReadAsync(buffer, cts.Token) == 0)
            {
                break;
            }
            text.Append((char)buffer[0]);
        }
        return text.ToString();
    }
}
