using System.Collections.Concurrent;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace SseChat.Tests.Browser;

/// <summary>
/// A stream refused for a cap (429 before any event stream) makes EventSource give up rather than retry in a hot loop;
/// the page says it is offline, tries again with backoff, and goes live once a place is free.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class StreamRefusalInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium, Settings)
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Chat:MaxStreamsPerClient"] = "1", // the browser and this test are both 127.0.0.1
    };

    [Fact]
    public async Task A_refused_stream_backs_off_instead_of_retrying_in_a_hot_loop_and_goes_live_when_a_place_frees()
    {
        var holder = await SseSubscriber.ConnectAsync(App.BaseAddress, "general"); // takes the one place
        var context = await Session.NewContextAsync();
        context.SetDefaultTimeout(20_000);
        var page = await Session.NewPageAsync(context);
        var streamAnswers = new ConcurrentQueue<int>();
        page.Response += (_, response) =>
        {
            if (new Uri(response.Url).AbsolutePath == "/stream/general")
            {
                streamAnswers.Enqueue(response.Status);
            }
        };

        await page.GotoAsync(Session.RoomUrl().ToString());
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "offline");
        await Task.Delay(TimeSpan.FromSeconds(4));

        // A hot loop would have made hundreds of attempts by now; backoff from 1 s makes a handful.
        Assert.All(streamAnswers, status => Assert.Equal(429, status));
        Assert.InRange(streamAnswers.Count, 1, 5);

        await holder.DisposeAsync();
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "Ann", "Through at last");
        await Expect(page.Locator("#messages .message-text")).ToHaveTextAsync("Through at last");
        Assert.Equal(200, streamAnswers.Last());
        Session.AssertNoScriptErrors();
    }
}
