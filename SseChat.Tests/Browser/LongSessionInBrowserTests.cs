using SseChat.Web.Chat;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;

namespace SseChat.Tests.Browser;

/// <summary>
/// A room page left open through a busy day: thousands of live messages keep the list at its cap while the reader
/// is at the bottom (the oldest dropped), scrolling up brings the dropped ones back in order, and a reader who has
/// scrolled up is not moved. How long an append takes as the day goes on is measured by bench/message-list, not here.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class LongSessionInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium, Settings)
{
    private const int Cap = 200;
    private const int PageSize = 50;
    private const int Messages = 5_000;
    private const int Batch = 50;

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Chat:RoomPageMessageCap"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Chat:HistoryPageSize"] = PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RateLimits:PostPermitLimit"] = "100000",
    };

    [Fact]
    public async Task Five_thousand_live_messages_keep_the_list_at_its_cap_and_scrolling_up_loads_them_again_in_order()
    {
        var page = await Session.OpenRoomAsync();
        // The most messages the list ever held, whatever happened between two looks.
        await page.EvaluateAsync("""
            () => {
              const list = document.getElementById('messages');
              window.__mostShown = 0;
              new MutationObserver(() => {
                window.__mostShown = Math.max(window.__mostShown, list.querySelectorAll(':scope > li.message').length);
              }).observe(list, { childList: true });
            }
            """);

        using var client = App.CreateChatClient();
        var last = (await client.SendAsync(Room, "Ann", "the first of many")).Seq;
        for (var sent = 1; sent < Messages; sent += Batch)
        {
            var batch = await Task.WhenAll(Enumerable.Range(sent, Math.Min(Batch, Messages - sent))
                .Select(i => client.SendAsync(Room, $"Poster {i % 7}", $"message {i}")));
            last = Math.Max(last, batch.Max(message => message.Seq));
        }
        await Expect(Message(page, last)).ToHaveCountAsync(1, new() { Timeout = 60_000 });

        var shown = await ShownSeqsAsync(page);
        Assert.Equal(Cap, shown.Length);
        Assert.Equal(Contiguous(last - Cap + 1, last), shown);
        Assert.InRange(await page.EvaluateAsync<int>("() => window.__mostShown"), Cap, Cap);
        await Expect(page.Locator("#load-older")).Not.ToBeHiddenAsync();

        // Scrolling up brings the dropped messages back, a page at a time, in order, none twice, none missing.
        var pane = page.Locator("#messages-pane");
        for (var load = 1; load <= 3; load++)
        {
            var oldest = shown[0];
            await pane.EvaluateAsync("(pane) => { pane.scrollTop = 0; }");
            await Expect(Message(page, oldest - PageSize)).ToHaveCountAsync(1);
            shown = await ShownSeqsAsync(page);
            Assert.Equal(Contiguous(shown[0], last), shown);
        }
        Assert.Equal(last - Cap - 3 * PageSize + 1, shown[0]);

        // More arrive while the reader is up there: nothing is dropped from under them, and they are not moved.
        await pane.EvaluateAsync("(pane) => { pane.scrollTop = pane.scrollHeight / 3; }");
        var scrolledTo = await pane.EvaluateAsync<double>("(pane) => pane.scrollTop");
        var arrived = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => client.SendAsync(Room, "Bob", $"while reading {i}")));
        var newest = arrived.Max(message => message.Seq);
        await Expect(Message(page, newest)).ToHaveCountAsync(1);
        await Expect(page.Locator("#new-messages")).ToBeVisibleAsync();
        Assert.Equal(Contiguous(shown[0], newest), await ShownSeqsAsync(page));
        Assert.Equal(scrolledTo, await pane.EvaluateAsync<double>("(pane) => pane.scrollTop"));

        // Back at the bottom, the next message brings the list down to its cap again.
        await page.Locator("#new-messages").ClickAsync();
        var next = await client.SendAsync(Room, "Bob", "back at the bottom");
        await Expect(Message(page, next.Seq)).ToHaveCountAsync(1);
        Assert.Equal(Contiguous(next.Seq - Cap + 1, next.Seq), await ShownSeqsAsync(page));
        Session.AssertNoScriptErrors();
    }

    private static long[] Contiguous(long first, long last) =>
        Enumerable.Range(0, (int)(last - first + 1)).Select(i => first + i).ToArray();
}
