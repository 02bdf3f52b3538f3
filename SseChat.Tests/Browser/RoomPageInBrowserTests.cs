using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;

namespace SseChat.Tests.Browser;

/// <summary>
/// The room page in a real Chromium against the real app (Kestrel, SQLite file): live delivery without reload,
/// exactly-once after a lost connection, and user text shown as text. Each test has its own app and database.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class RoomPageInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium, Settings)
{
    private const string ShownMessagesScript = """
        () => JSON.stringify(Array.from(document.querySelectorAll('#messages > li.message'), (item) => ({
          seq: Number(item.dataset.seq),
          author: item.querySelector('.message-author').textContent,
          text: item.querySelector('.message-text').textContent,
          textElements: item.querySelector('.message-text').childElementCount,
        })))
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan LiveDeliveryBudget = TimeSpan.FromSeconds(1);

    // A short retry: the page's EventSource comes back 0.5 s after losing the stream instead of 3 s.
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Chat:RetryInterval"] = "00:00:00.500",
    };

    [Fact]
    public async Task Message_sent_in_one_page_appears_in_the_other_without_reload()
    {
        var sender = await Session.OpenRoomAsync();
        var reader = await Session.OpenRoomAsync();
        await reader.EvaluateAsync("() => { window.__sameDocument = 'not reloaded'; }");

        var text = "Hello from the other tab";
        await sender.PickNameAsync("Ann");
        var textBox = sender.Locator("#composer textarea[name=text]");
        await textBox.FillAsync(text);
        var response = await sender.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), Session.IsPost());
        var responded = Stopwatch.GetTimestamp();

        Assert.Equal(201, response.Status);
        var posted = await ReadMessageAsync(response);
        Assert.Equal(("Ann", text), (posted.Author, posted.Text));

        // Within a second of the POST's response, measured from its arrival, without the reader doing anything.
        var remaining = LiveDeliveryBudget - Stopwatch.GetElapsedTime(responded);
        await Expect(MessageText(reader, posted.Seq)).ToHaveTextAsync(text, new() { Timeout = Milliseconds(remaining) });
        Assert.Equal("not reloaded", await reader.EvaluateAsync<string?>("() => window.__sameDocument ?? null"));

        // The sender shows its post from the POST's reply and again from its own stream. Once the stream has
        // delivered a later message, the stream's copy of the post has certainly arrived too: then count.
        using var client = App.CreateChatClient();
        var later = await client.SendAsync(Room, "Bob", "A later message");
        await WaitForSeqAsync(sender, later.Seq, TimeSpan.FromSeconds(5));
        await WaitForSeqAsync(reader, later.Seq, TimeSpan.FromSeconds(5));

        ChatMessage[] expected = [posted, later];
        AssertShownExactly(expected, await ReadShownMessagesAsync(sender));
        AssertShownExactly(expected, await ReadShownMessagesAsync(reader));
        Assert.Equal("not reloaded", await reader.EvaluateAsync<string?>("() => window.__sameDocument ?? null"));
        Session.AssertNoScriptErrors();
    }

    /// <summary>
    /// Reset: the network drops, and the browser's EventSource reconnects by itself with Last-Event-ID.
    /// BadGateway: a 502 makes EventSource give up for good, and the page's own fallback opens a new one with
    /// ?after=&lt;last seq shown&gt; (the badge says offline meanwhile).
    /// </summary>
    [Theory]
    [InlineData(Refusal.Reset, "reconnecting")]
    [InlineData(Refusal.BadGateway, "offline")]
    public async Task Page_that_lost_its_connection_shows_every_message_exactly_once_after_it_returns(
        Refusal refusal, string stateWhileCut)
    {
        await using var proxy = new CuttableTcpProxy(App.BaseAddress);
        var reader = await Session.NewPageAsync();
        await GoToRoomAsync(reader, new Uri(proxy.BaseAddress, Session.RoomUrl().AbsolutePath));
        var status = reader.Locator("#connection-status");
        using var client = App.CreateChatClient();

        var beforeCut = await client.SendAsync(Room, "Ann", "Before the cut");
        await WaitForSeqAsync(reader, beforeCut.Seq, TimeSpan.FromSeconds(5));

        proxy.Cut(refusal);
        await Expect(status).ToHaveAttributeAsync("data-state", stateWhileCut, new() { Timeout = 5_000 });

        var missed = new List<ChatMessage>();
        for (var i = 1; i <= 5; i++)
        {
            missed.Add(await client.SendAsync(Room, i % 2 == 0 ? "Ann" : "Bob", $"While cut #{i}"));
        }

        // The page must have tried to come back after those were stored, and been refused: so it did not get them
        // over a connection the cut missed, and can only get them by resuming.
        var refusedSoFar = proxy.RefusedConnections;
        await Eventually.TrueAsync(() => proxy.RefusedConnections > refusedSoFar,
            "the page never tried to reconnect while cut", TimeSpan.FromSeconds(10));
        AssertShownExactly([beforeCut], await ReadShownMessagesAsync(reader));
        await Expect(status).Not.ToHaveAttributeAsync("data-state", "live", new() { Timeout = 1 });

        proxy.Restore();
        await Expect(status).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });
        await WaitForSeqAsync(reader, missed[^1].Seq, TimeSpan.FromSeconds(5));

        // And it is live again, not merely caught up.
        var afterReturn = await client.SendAsync(Room, "Ann", "After the return");
        await WaitForSeqAsync(reader, afterReturn.Seq, TimeSpan.FromSeconds(5));

        AssertShownExactly([beforeCut, .. missed, afterReturn], await ReadShownMessagesAsync(reader));
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task User_text_is_shown_as_text_never_as_markup()
    {
        var requestedPaths = new ConcurrentQueue<string>();
        var reader = await Session.OpenRoomAsync(await NewContextRecordingPathsAsync(requestedPaths));
        var sender = await Session.OpenRoomAsync(await NewContextRecordingPathsAsync(requestedPaths));

        string[] texts =
        [
            "<img src=x onerror=\"window.__xss=1\">",
            "<b>bold</b>",
            "&lt;i&gt;entities stay entities&lt;/i&gt; & <script>window.__xss=2</script>",
        ];
        const string author = "<i>Eve</i>";
        await sender.PickNameAsync(author);
        var posted = new List<ChatMessage>();
        foreach (var text in texts)
        {
            await sender.Locator("#composer textarea[name=text]").FillAsync(text);
            var response = await sender.RunAndWaitForResponseAsync(
                () => sender.Locator("#composer button[type=submit]").ClickAsync(), Session.IsPost());
            Assert.Equal(201, response.Status);
            posted.Add(await ReadMessageAsync(response));
        }
        Assert.Equal(texts, posted.Select(message => message.Text));
        Assert.All(posted, message => Assert.Equal(author, message.Author));

        // Live: rendered by the script from stream events.
        await WaitForSeqAsync(reader, posted[^1].Seq, TimeSpan.FromSeconds(5));
        await AssertShownAsTextAsync(reader, posted);

        // History: rendered by the server into the page's HTML, encoded.
        var history = await Session.NewPageAsync(await NewContextRecordingPathsAsync(requestedPaths));
        var load = await history.GotoAsync(Session.RoomUrl().ToString());
        Assert.NotNull(load);
        var html = await load.TextAsync();
        foreach (var message in posted)
        {
            Assert.Contains($"data-seq=\"{message.Seq.ToString(CultureInfo.InvariantCulture)}\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain(message.Text, html, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(author, html, StringComparison.Ordinal);
        await Expect(history.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        await AssertShownAsTextAsync(history, posted);
        await AssertShownAsTextAsync(sender, posted);

        // An <img src=x> that existed even for a moment would have fetched /rooms/x.
        Assert.DoesNotContain("/rooms/x", requestedPaths);
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Load_older_fetches_earlier_history_above_the_current_messages()
    {
        using var client = App.CreateChatClient();
        var posted = new List<ChatMessage>();
        for (var i = 1; i <= 60; i++)
        {
            posted.Add(await client.SendAsync(Room, "Ann", $"history {i}"));
        }
        var page = await Session.OpenRoomAsync();
        AssertShownExactly(posted[10..], await ReadShownMessagesAsync(page));

        var loadOlder = page.Locator("#load-older");
        await Expect(loadOlder).ToBeVisibleAsync();
        // Pressed where it is: scrolling up to it would load by itself (MessageListInBrowserTests covers that).
        await loadOlder.DispatchEventAsync("click");

        await WaitForSeqAsync(page, 1, TimeSpan.FromSeconds(5));
        AssertShownExactly(posted, await ReadShownMessagesAsync(page));
        await Expect(loadOlder).ToBeHiddenAsync(); // fewer than a page came back: nothing older is left
        Session.AssertNoScriptErrors();
    }

    private static async Task AssertShownAsTextAsync(IPage page, IReadOnlyList<ChatMessage> posted)
    {
        var shown = await ReadShownMessagesAsync(page);
        AssertShownExactly(posted, shown);
        Assert.All(shown, message => Assert.Equal(0, message.TextElements));
        Assert.Equal(0, await page.Locator("#messages img, #messages b, #messages i, #messages script").CountAsync());
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__xss"));
    }

    /// <summary>A new browser context whose every request's path goes into <paramref name="requestedPaths"/>.</summary>
    private async Task<IBrowserContext> NewContextRecordingPathsAsync(ConcurrentQueue<string> requestedPaths)
    {
        var context = await Session.NewContextAsync();
        context.Request += (_, request) => requestedPaths.Enqueue(new Uri(request.Url).AbsolutePath);
        return context;
    }

    private static ILocator MessageText(IPage page, long seq) => Message(page, seq).Locator(".message-text");

    private static async Task WaitForSeqAsync(IPage page, long seq, TimeSpan timeout) =>
        await Expect(MessageText(page, seq)).ToHaveCountAsync(1, new() { Timeout = Milliseconds(timeout) });

    private static async Task<List<ShownMessage>> ReadShownMessagesAsync(IPage page) =>
        JsonSerializer.Deserialize<List<ShownMessage>>(await page.EvaluateAsync<string>(ShownMessagesScript), Json)!;

    /// <summary>Exactly these messages, each once, in seq order, with their authors and texts.</summary>
    private static void AssertShownExactly(IReadOnlyList<ChatMessage> expected, List<ShownMessage> shown)
    {
        Assert.Equal(
            expected.Select(message => (message.Seq, message.Author, message.Text)),
            shown.Select(message => (message.Seq, message.Author, message.Text)));
    }

    // Playwright reads a timeout of 0 as "wait forever": an exhausted budget must still fail fast.
    private static float Milliseconds(TimeSpan timeout) => (float)Math.Max(1, timeout.TotalMilliseconds);

    private sealed record ShownMessage(long Seq, string Author, string Text, int TextElements);
}
