using System.Collections.Concurrent;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;

namespace SseChat.Tests.Browser;

/// <summary>
/// The app as operators run it, in Production, as a process of its own: published (<c>dotnet publish</c>, started in
/// its folder as docs/deploy.md's unit does) and straight from the build output (in the project folder, as
/// <c>dotnet run</c> does). A real Chromium, which asks for compressed files, loads the room page whole (every script
/// and style with a body and a type) and shows a message posted elsewhere. The other browser tests host the app in
/// Development, where the framework serves the build's assets by itself; these keep Production covered.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class ProductionInBrowserTests(ChromiumFixture chromium, PublishedApp published)
    : ServerProcessTests("ssechat-production-"), IClassFixture<PublishedApp>
{
    // Where wwwroot's scripts and styles are served from.
    private static readonly string[] AssetFolders = ["/js/", "/css/", "/lib/"];

    private const float ColdStart = 30_000;

    [Fact]
    public async Task Published_app_in_Production_serves_the_room_page_whole_and_shows_live_messages()
    {
        var server = await StartServerAsync(publishedFolder: published.Folder);
        await AssertRoomPageWorksAsync(server);
    }

    [Fact]
    public async Task Unpublished_build_in_Production_serves_the_room_page_whole_and_shows_live_messages()
    {
        var server = await StartServerAsync();
        await AssertRoomPageWorksAsync(server);
    }

    [Fact]
    public async Task Published_app_started_outside_its_folder_refuses_to_start_naming_the_missing_web_root()
    {
        // Started with another folder as its content root (a unit without WorkingDirectory, or a shell elsewhere):
        // no wwwroot there, so no script or style could be served.
        var elsewhere = Directory.CreateTempSubdirectory("ssechat-elsewhere-");
        try
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartServerAsync(
                new Dictionary<string, string> { ["contentRoot"] = elsewhere.FullName }, published.Folder));

            Assert.Contains($"The web root {Path.Combine(elsewhere.FullName, "wwwroot")} (absent) lacks", refused.Message, StringComparison.Ordinal);
            Assert.Contains("css/site.css", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Now listening on", refused.Message, StringComparison.Ordinal);
            // Refused before a first administrator was made, so its one-time password is still to come.
            Assert.DoesNotContain("one-time password", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            elsewhere.Delete(recursive: true);
        }
    }

    private async Task AssertRoomPageWorksAsync(ChatServerProcess server)
    {
        await using var session = new BrowserSession(chromium.Browser, () => server.BaseAddress);
        var page = await session.NewPageAsync();
        var assets = new ConcurrentQueue<IResponse>();
        page.Response += (_, response) =>
        {
            var path = new Uri(response.Url).AbsolutePath;
            if (AssetFolders.Any(folder => path.StartsWith(folder, StringComparison.Ordinal)))
            {
                assets.Enqueue(response);
            }
        };

        // Not waiting for the load event: a page whose scripts fail should fail on what it shows. "live" takes
        // room.js and every module it imports, from a process that has just started (so compiles as it serves) on a
        // machine that may be busy: more time than a warm app needs.
        var loaded = await page.GotoAsync(session.RoomUrl().ToString(), new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal(200, loaded?.Status);
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = ColdStart });
        using var client = server.CreateChatClient();
        var sent = await client.SendAsync(Room, "Ann", "Hello from Production");
        await Expect(Message(page, sent.Seq).Locator(".message-text")).ToHaveTextAsync(sent.Text);

        var paths = assets.Select(response => new Uri(response.Url).AbsolutePath).ToList();
        Assert.Contains(paths, path => path.StartsWith("/js/room.", StringComparison.Ordinal));
        Assert.Contains(paths, path => path.StartsWith("/js/chat/room-stream.", StringComparison.Ordinal));
        Assert.Contains(paths, path => path.StartsWith("/css/site.", StringComparison.Ordinal));
        Assert.Contains(paths, path => path.EndsWith("/bootstrap.min.css", StringComparison.Ordinal));
        var compressed = 0;
        foreach (var response in assets)
        {
            var headers = await response.AllHeadersAsync();
            Assert.Equal(200, response.Status);
            Assert.True(headers.ContainsKey("content-type"), $"{response.Url} came without a Content-Type");
            Assert.NotEmpty(await response.BodyAsync());
            compressed += headers.ContainsKey("content-encoding") ? 1 : 0;
        }
        // The precompressed copies, which were the ones served empty, were the ones exercised.
        Assert.True(compressed > 0, $"none of {paths.Count} assets came compressed");
        session.AssertNoScriptErrors();
    }
}
