using System.Collections.Concurrent;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace SseChat.Tests.Browser;

/// <summary>
/// A stream refused for a cap (429 before any event stream) makes EventSource give up rather than retry in a hot loop;
/// the page says it is offline, tries again with backoff, and goes live once a place is free.
/// </summary>
public sealed class StreamRefusalInBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private readonly ChatApplication app = new(new Dictionary<string, string?>
    {
        ["Chat:MaxStreamsPerClient"] = "1", // the browser and this test are both 127.0.0.1
    });

    private IBrowserContext? context;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (context is not null)
        {
            await context.CloseAsync();
        }
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_refused_stream_backs_off_instead_of_retrying_in_a_hot_loop_and_goes_live_when_a_place_frees()
    {
        var holder = await SseSubscriber.ConnectAsync(app.BaseAddress, "general"); // takes the one place
        context = await chromium.Browser.NewContextAsync();
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        var streamAnswers = new ConcurrentQueue<int>();
        page.Response += (_, response) =>
        {
            if (new Uri(response.Url).AbsolutePath == "/stream/general")
            {
                streamAnswers.Enqueue(response.Status);
            }
        };

        await page.GotoAsync(new Uri(app.BaseAddress, "rooms/general").ToString());
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "offline");
        await Task.Delay(TimeSpan.FromSeconds(4));

        // A hot loop would have made hundreds of attempts by now; backoff from 1 s makes a handful.
        Assert.All(streamAnswers, status => Assert.Equal(429, status));
        Assert.InRange(streamAnswers.Count, 1, 5);

        await holder.DisposeAsync();
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        using var client = app.CreateChatClient();
        await client.SendAsync("general", "Ann", "Through at last");
        await Expect(page.Locator("#messages .message-text")).ToHaveTextAsync("Through at last");
        Assert.Equal(200, streamAnswers.Last());
    }
}
