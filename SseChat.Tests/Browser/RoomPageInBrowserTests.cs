using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

using static Microsoft.Playwright.Assertions;

namespace SseChat.Tests.Browser;

/// <summary>
/// The room page in a real Chromium against the real app (Kestrel, SQLite file): live delivery without reload,
/// exactly-once after a lost connection, and user text shown as text. Each test has its own app and database.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class RoomPageInBrowserTests(ChromiumFixture chromium) : IAsyncLifetime
{
    private const string Room = "general";
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
    private readonly ChatApplication app = new(new Dictionary<string, string?>
    {
        ["Chat:RetryInterval"] = "00:00:00.500",
    });

    private readonly List<IBrowserContext> contexts = [];
    private readonly ConcurrentQueue<string> scriptErrors = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Message_sent_in_one_page_appears_in_the_other_without_reload()
    {
        var sender = await OpenRoomAsync(app.BaseAddress);
        var reader = await OpenRoomAsync(app.BaseAddress);
        await reader.EvaluateAsync("() => { window.__sameDocument = 'not reloaded'; }");

        var text = "Hello from the other tab";
        await sender.PickNameAsync("Ann");
        var textBox = sender.Locator("#composer textarea[name=text]");
        await textBox.FillAsync(text);
        var response = await sender.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), IsPostTo(app.BaseAddress));
        var responded = Stopwatch.GetTimestamp();

        Assert.Equal(201, response.Status);
        var posted = JsonSerializer.Deserialize<ChatMessage>(await response.TextAsync(), Json)!;
        Assert.Equal(("Ann", text), (posted.Author, posted.Text));

        // Within a second of the POST's response, measured from its arrival, without the reader doing anything.
        var remaining = LiveDeliveryBudget - Stopwatch.GetElapsedTime(responded);
        await Expect(MessageText(reader, posted.Seq)).ToHaveTextAsync(text, new() { Timeout = Milliseconds(remaining) });
        Assert.Equal("not reloaded", await reader.EvaluateAsync<string?>("() => window.__sameDocument ?? null"));

        // The sender shows its post from the POST's reply and again from its own stream. Once the stream has
        // delivered a later message, the stream's copy of the post has certainly arrived too: then count.
        using var client = app.CreateChatClient();
        var later = await client.SendAsync(Room, "Bob", "A later message");
        await WaitForSeqAsync(sender, later.Seq, TimeSpan.FromSeconds(5));
        await WaitForSeqAsync(reader, later.Seq, TimeSpan.FromSeconds(5));

        ChatMessage[] expected = [posted, later];
        AssertShownExactly(expected, await ReadShownMessagesAsync(sender));
        AssertShownExactly(expected, await ReadShownMessagesAsync(reader));
        Assert.Equal("not reloaded", await reader.EvaluateAsync<string?>("() => window.__sameDocument ?? null"));
        AssertNoScriptErrors();
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
        await using var proxy = new CuttableTcpProxy(app.BaseAddress);
        var reader = await OpenRoomAsync(proxy.BaseAddress);
        var status = reader.Locator("#connection-status");
        using var client = app.CreateChatClient();

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
        AssertNoScriptErrors();
    }

    [Fact]
    public async Task User_text_is_shown_as_text_never_as_markup()
    {
        var requestedPaths = new ConcurrentQueue<string>();
        var reader = await OpenRoomAsync(app.BaseAddress, requestedPaths);
        var sender = await OpenRoomAsync(app.BaseAddress, requestedPaths);

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
                () => sender.Locator("#composer button[type=submit]").ClickAsync(), IsPostTo(app.BaseAddress));
            Assert.Equal(201, response.Status);
            posted.Add(JsonSerializer.Deserialize<ChatMessage>(await response.TextAsync(), Json)!);
        }
        Assert.Equal(texts, posted.Select(message => message.Text));
        Assert.All(posted, message => Assert.Equal(author, message.Author));

        // Live: rendered by the script from stream events.
        await WaitForSeqAsync(reader, posted[^1].Seq, TimeSpan.FromSeconds(5));
        await AssertShownAsTextAsync(reader, posted);

        // History: rendered by the server into the page's HTML, encoded.
        var history = await NewPageAsync(requestedPaths);
        var load = await history.GotoAsync(RoomUrl(app.BaseAddress).ToString());
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
        AssertNoScriptErrors();
    }

    [Fact]
    public async Task Load_older_fetches_earlier_history_above_the_current_messages()
    {
        using var client = app.CreateChatClient();
        var posted = new List<ChatMessage>();
        for (var i = 1; i <= 60; i++)
        {
            posted.Add(await client.SendAsync(Room, "Ann", $"history {i}"));
        }
        var page = await OpenRoomAsync(app.BaseAddress);
        AssertShownExactly(posted[10..], await ReadShownMessagesAsync(page));

        var loadOlder = page.Locator("#load-older");
        await Expect(loadOlder).ToBeVisibleAsync();
        // Pressed where it is: scrolling up to it would load by itself (MessageListInBrowserTests covers that).
        await loadOlder.DispatchEventAsync("click");

        await WaitForSeqAsync(page, 1, TimeSpan.FromSeconds(5));
        AssertShownExactly(posted, await ReadShownMessagesAsync(page));
        await Expect(loadOlder).ToBeHiddenAsync(); // fewer than a page came back: nothing older is left
        AssertNoScriptErrors();
    }

    private static async Task AssertShownAsTextAsync(IPage page, IReadOnlyList<ChatMessage> posted)
    {
        var shown = await ReadShownMessagesAsync(page);
        AssertShownExactly(posted, shown);
        Assert.All(shown, message => Assert.Equal(0, message.TextElements));
        Assert.Equal(0, await page.Locator("#messages img, #messages b, #messages i, #messages script").CountAsync());
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__xss"));
    }

    private async Task<IPage> NewPageAsync(ConcurrentQueue<string>? requestedPaths = null)
    {
        var context = await chromium.Browser.NewContextAsync();
        contexts.Add(context);
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => scriptErrors.Enqueue(error);
        if (requestedPaths is not null)
        {
            page.Request += (_, request) => requestedPaths.Enqueue(new Uri(request.Url).AbsolutePath);
        }
        return page;
    }

    /// <summary>A new browser context (own cookies and storage) on the room page, its stream open.</summary>
    private async Task<IPage> OpenRoomAsync(Uri baseAddress, ConcurrentQueue<string>? requestedPaths = null)
    {
        var page = await NewPageAsync(requestedPaths);
        var response = await page.GotoAsync(RoomUrl(baseAddress).ToString());
        Assert.Equal(200, response?.Status);
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        return page;
    }

    private static Uri RoomUrl(Uri baseAddress) => new(baseAddress, $"rooms/{Room}");

    private static Func<IResponse, bool> IsPostTo(Uri baseAddress)
    {
        var url = new Uri(baseAddress, $"rooms/{Room}/messages").ToString();
        return response => response.Request.Method == "POST" && response.Url == url;
    }

    private static ILocator MessageText(IPage page, long seq) =>
        page.Locator($"#messages > li.message[data-seq='{seq.ToString(CultureInfo.InvariantCulture)}'] .message-text");

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

    private void AssertNoScriptErrors() => Assert.Empty(scriptErrors);

    // Playwright reads a timeout of 0 as "wait forever": an exhausted budget must still fail fast.
    private static float Milliseconds(TimeSpan timeout) => (float)Math.Max(1, timeout.TotalMilliseconds);

    private sealed record ShownMessage(long Seq, string Author, string Text, int TextElements);
}
