using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;

namespace SseChat.Tests.Browser;

/// <summary>
/// How the room page shows messages, in a real Chromium against the real app: grouped by author and by the
/// reader's local day, links made clickable and nothing else, the pane pinned to the bottom only while the reader
/// is there, and older messages loaded by scrolling up without moving what the reader sees.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class MessageListInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium)
{
    /// <summary>The list top to bottom: "day {label}" for a day separator, "{seq}" or "{seq} continued" for a message.</summary>
    internal const string GroupsScript = """
        () => Array.from(document.querySelectorAll('#messages > li'), (item) => item.classList.contains('day-separator')
          ? `day ${item.textContent}`
          : `${item.dataset.seq}${item.classList.contains('message-continued') ? ' continued' : ''}`)
        """;

    internal static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public async Task Messages_are_grouped_by_author_and_the_readers_local_day_however_they_arrived()
    {
        // Pages of 4, so that "load older" prepends part of the groups.
        await using var app = new ChatApplication(new Dictionary<string, string?> { ["Chat:HistoryPageSize"] = "4" });
        var browser = new BrowserSession(Chromium.Browser, app);
        await using var _ = browser;

        // The reader is in New York: "yesterday 23:30" there is already today in UTC, so only local days group right.
        var now = DateTime.UtcNow;
        var nowThere = TimeZoneInfo.ConvertTimeFromUtc(now, NewYork);
        var threeDaysAgo = nowThere.Date.AddDays(-3);
        var yesterday = nowThere.Date.AddDays(-1);
        using var client = app.CreateChatClient();
        (string Author, DateTime LocalTime)[] plan =
        [
            ("Ann", threeDaysAgo.AddHours(10)),
            ("Ann", threeDaysAgo.AddHours(10).AddMinutes(3)),
            ("Bob", yesterday.AddHours(23).AddMinutes(30)),
            ("Bob", yesterday.AddHours(23).AddMinutes(33)),
            ("Bob", nowThere), // the same author, but another day
            ("Ann", nowThere),
            ("Ann", nowThere),
        ];
        var posted = new List<ChatMessage>();
        foreach (var (author, _) in plan)
        {
            posted.Add(await client.SendAsync(Room, author, $"{author} #{posted.Count + 1}"));
        }
        await BackdateAsync(app, NewYork, posted.Zip(plan).Select(pair => (pair.First.Seq, pair.Second.LocalTime)));

        // The page's today is the test's: a run across New York midnight would otherwise label the days differently.
        var context = await browser.NewContextAsync(new() { TimezoneId = "America/New_York", Locale = "en-US" });
        await context.Clock.SetFixedTimeAsync(now);
        var page = await browser.OpenRoomAsync(context);

        // The page renders the last 4; the older 3 come from "load older", which a pane that is not full fetches
        // by itself. Message 4 opened the list, and after the prepend it continues Bob's group.
        await Expect(Message(page, 1)).ToHaveCountAsync(1);
        var fullDate = threeDaysAgo.ToString("dddd, MMMM d, yyyy", CultureInfo.GetCultureInfo("en-US"));
        string[] expected =
        [
            $"day {fullDate}", "1", "2 continued",
            "day Yesterday", "3", "4 continued",
            "day Today", "5", "6", "7 continued",
        ];
        Assert.Equal(expected, await page.EvaluateAsync<string[]>(GroupsScript));

        // Local time next to the message, the full timestamp on hover, the UTC instant in datetime.
        var time = Message(page, 3).Locator("time");
        await Expect(time).ToHaveTextAsync(new Regex(@"^11:30\sPM$"));
        await Expect(time).ToHaveAttributeAsync("title", new Regex($"^{Regex.Escape(yesterday.ToString("dddd, MMMM d, yyyy", CultureInfo.GetCultureInfo("en-US")))} at 11:30:00\\sPM E[SD]T$"));
        await Expect(time).ToHaveAttributeAsync("datetime", new Regex(@"^\d{4}-\d\d-\d\dT0[34]:30:00(\.0+)?Z$"));
        await Expect(Message(page, 4).Locator(".message-author")).ToHaveClassAsync(new Regex(@"\bvisually-hidden\b"));
        await Expect(Message(page, 4).Locator(".message-author")).ToHaveTextAsync("Bob"); // still there for screen readers

        // Live messages join today's groups the same way.
        var live = await client.SendAsync(Room, "Ann", "Ann, live");
        var other = await client.SendAsync(Room, "Bob", "Bob, live");
        await Expect(Message(page, other.Seq)).ToHaveCountAsync(1);
        var groups = await page.EvaluateAsync<string[]>(GroupsScript);
        Assert.Equal([.. expected, $"{live.Seq} continued", $"{other.Seq}"], groups);
        browser.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Web_addresses_become_safe_links_and_nothing_else_becomes_markup()
    {
        var requestedPaths = new ConcurrentQueue<string>();
        var reader = await Session.OpenRoomAsync();
        reader.Request += (_, request) => requestedPaths.Enqueue(new Uri(request.Url).AbsolutePath);
        using var client = App.CreateChatClient();
        const string author = "<img src=x onerror=__xss=1>";
        string[] texts =
        [
            "see https://example.org/a?b=1&c=2, then http://example.com/path).",
            "javascript:window.__xss=2 JavaScript://%0Awindow.__xss=3 data:text/html,<b>x</b> http:// ftp://example.org",
            "<a href=\"https://evil.example/\" onclick=\"window.__xss=4\">click</a>",
            "HTTPS://example.net/<img src=x onerror=window.__xss=5>",
        ];
        var posted = new List<ChatMessage>();
        foreach (var text in texts)
        {
            posted.Add(await client.SendAsync(Room, author, text));
        }
        (long Seq, string[] Links)[] expected =
        [
            (posted[0].Seq, ["https://example.org/a?b=1&c=2", "http://example.com/path"]),
            (posted[1].Seq, []),
            (posted[2].Seq, ["https://evil.example/"]),
            (posted[3].Seq, ["HTTPS://example.net/"]),
        ];

        // Live (built by the script from stream events) and history (rendered by the server, linked by the script).
        await Expect(Message(reader, posted[^1].Seq)).ToHaveCountAsync(1);
        var history = await Session.OpenRoomAsync();
        history.Request += (_, request) => requestedPaths.Enqueue(new Uri(request.Url).AbsolutePath);
        IPage[] pages = [reader, history];
        foreach (var page in pages)
        {
            foreach (var (message, (seq, links)) in posted.Zip(expected))
            {
                var item = Message(page, seq);
                await Expect(item.Locator(".message-text")).ToHaveTextAsync(message.Text);
                await Expect(item.Locator(".message-author")).ToHaveTextAsync(author);
                var anchors = item.Locator(".message-text a");
                await Expect(anchors).ToHaveCountAsync(links.Length);
                for (var i = 0; i < links.Length; i++)
                {
                    await Expect(anchors.Nth(i)).ToHaveTextAsync(links[i]);
                    await Expect(anchors.Nth(i)).ToHaveAttributeAsync("href", new Uri(links[i]).AbsoluteUri);
                    await Expect(anchors.Nth(i)).ToHaveAttributeAsync("rel", "noopener noreferrer");
                    await Expect(anchors.Nth(i)).ToHaveAttributeAsync("target", "_blank");
                }
            }
            Assert.Equal(0, await page.Locator("#messages img, #messages b, #messages script, #messages a[onclick]").CountAsync());
            Assert.Equal(0, await page.Locator("#messages a:not([href^='http:']):not([href^='https:'])").CountAsync());
            Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__xss"));
        }
        Assert.DoesNotContain("/rooms/x", requestedPaths);
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Reader_at_the_bottom_follows_new_messages_and_one_who_scrolled_up_gets_a_button_instead()
    {
        using var client = App.CreateChatClient();
        await SendManyAsync(client, 40);
        var page = await Session.OpenRoomAsync();
        var newMessages = page.Locator("#new-messages");
        Assert.True(await DistanceFromBottomAsync(page) < 2, "the page opens at the newest message");

        // At the bottom: followed.
        var first = await client.SendAsync(Room, "Bob", "followed");
        await Expect(Message(page, first.Seq)).ToHaveCountAsync(1);
        Assert.True(await DistanceFromBottomAsync(page) < 2, "a reader at the bottom stays there");
        await Expect(newMessages).ToBeHiddenAsync();

        // Scrolled up: nothing moves, the button counts.
        var scrollTop = await page.EvaluateAsync<double>("() => { const pane = document.getElementById('messages-pane'); pane.scrollTop = 150; return pane.scrollTop; }");
        var second = await client.SendAsync(Room, "Bob", "not followed");
        var third = await client.SendAsync(Room, "Bob", "not followed either");
        await Expect(Message(page, third.Seq)).ToHaveCountAsync(1);
        await Expect(newMessages).ToHaveTextAsync("2 new messages");
        Assert.Equal(scrollTop, await page.EvaluateAsync<double>("() => document.getElementById('messages-pane').scrollTop"));

        // Keyboard only: from the pane, Tab reaches the button, Enter takes the reader down and clears it.
        await page.Locator("#messages-pane").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("new-messages", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(newMessages).ToBeHiddenAsync();
        Assert.True(await DistanceFromBottomAsync(page) < 2, "the button jumps to the newest message");
        Assert.Equal("messages-pane", await page.EvaluateAsync<string>("() => document.activeElement.id"));

        // Scrolling down by hand clears the button too.
        await page.EvaluateAsync("() => { document.getElementById('messages-pane').scrollTop = 150; }");
        var fourth = await client.SendAsync(Room, "Bob", "seen by scrolling");
        await Expect(newMessages).ToHaveTextAsync("1 new message");
        await page.Locator("#messages-pane").HoverAsync();
        await page.Mouse.WheelAsync(0, 100_000);
        await Expect(newMessages).ToBeHiddenAsync();
        await Expect(Message(page, fourth.Seq)).ToBeInViewportAsync();
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Scrolling_to_the_top_loads_older_messages_once_at_a_time_and_keeps_the_view_steady()
    {
        using var client = App.CreateChatClient();
        var posted = await SendManyAsync(client, 130);
        var page = await Session.NewPageAsync();
        var historyRequests = new ConcurrentQueue<string>();
        // Slow history answers, so that the button and the scroll both ask while a load is under way.
        await page.RouteAsync("**/rooms/general/messages?*", async route =>
        {
            historyRequests.Enqueue(new Uri(route.Request.Url).Query);
            await Task.Delay(400);
            await route.ContinueAsync();
        });
        await Session.GoToRoomAsync(page);
        Assert.Equal(posted.Select(m => m.Seq).Skip(80), await ShownSeqsAsync(page));

        var firstShown = posted[80].Seq;
        var topBefore = await page.EvaluateAsync<double>($$"""
            () => {
              const pane = document.getElementById('messages-pane');
              pane.scrollTop = 0;
              return document.querySelector('#messages > li[data-seq="{{firstShown}}"]').getBoundingClientRect().top;
            }
            """);
        var loadOlder = page.Locator("#load-older");
        await loadOlder.DispatchEventAsync("click");
        await loadOlder.DispatchEventAsync("click");
        await Expect(Message(page, posted[30].Seq)).ToHaveCountAsync(1);
        var topAfter = await page.EvaluateAsync<double>(
            $"() => document.querySelector('#messages > li[data-seq=\"{firstShown}\"]').getBoundingClientRect().top");
        Assert.InRange(topAfter - topBefore, -1, 1);
        Assert.Single(historyRequests);

        // Up to the top again: the rest, and then nothing more to load.
        await page.EvaluateAsync("() => { document.getElementById('messages-pane').scrollTop = 0; }");
        await Expect(Message(page, posted[0].Seq)).ToHaveCountAsync(1);
        await Expect(loadOlder).ToBeHiddenAsync();
        Assert.Equal(posted.Select(m => m.Seq), await ShownSeqsAsync(page));
        Assert.Equal(2, historyRequests.Count);
        Assert.All(historyRequests, query => Assert.Contains("before=", query, StringComparison.Ordinal));
        Session.AssertNoScriptErrors();
    }

    /// <summary>Moves messages of the room to other wall-clock times in a time zone, as if written then.</summary>
    internal static async Task BackdateAsync(ChatApplication app, TimeZoneInfo zone, IEnumerable<(long Seq, DateTime LocalTime)> moves)
    {
        await using var db = app.CreateDbContext();
        var roomId = await db.Rooms.Where(r => r.Slug == Room).Select(r => r.Id).SingleAsync();
        foreach (var (seq, localTime) in moves)
        {
            var utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(localTime, DateTimeKind.Unspecified), zone);
            await db.RoomEvents.Where(e => e.RoomId == roomId && e.Seq == seq)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.CreatedAt, utc));
        }
    }

    internal static async Task<List<ChatMessage>> SendManyAsync(ChatClient client, int count)
    {
        var posted = new List<ChatMessage>();
        for (var i = 1; i <= count; i++)
        {
            posted.Add(await client.SendAsync(Room, i % 3 == 0 ? "Bob" : "Ann", $"message {i}"));
        }
        return posted;
    }

    private static Task<double> DistanceFromBottomAsync(IPage page) => page.EvaluateAsync<double>(
        "() => { const p = document.getElementById('messages-pane'); return p.scrollHeight - p.scrollTop - p.clientHeight; }");
}
