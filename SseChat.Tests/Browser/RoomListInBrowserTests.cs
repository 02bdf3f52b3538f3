using SseChat.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;

namespace SseChat.Tests.Browser;

/// <summary>
/// The room list's unread markers in a real Chromium against the real app: what one browser has seen is kept in
/// its own storage, and the list counts what came after.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class RoomListInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium, Settings)
{
    // The shortest refresh allowed, so that an open list catches up within the test's patience.
    private static readonly Dictionary<string, string?> Settings = new() { ["Chat:RoomListRefreshInterval"] = "00:00:02" };

    [Fact]
    public async Task Room_list_counts_the_messages_this_browser_has_not_seen()
    {
        await App.AddRoomAsync("harbour");
        await App.AddRoomAsync("quiet");
        using var client = App.CreateChatClient();
        await client.SendAsync("quiet", "Ann", "before this browser ever looked");
        await client.SendAsync(Room, "Ann", "seen when the page opens");

        var context = await Session.NewContextAsync();
        var page = await Session.OpenRoomAsync(context);
        await Session.GoToRoomAsync(page, "harbour");
        var home = App.BaseAddress.ToString();
        var rooms = page.Locator("#rooms");
        var general = rooms.Locator($"[data-room='{Room}'] .room-unread");
        var harbour = rooms.Locator("[data-room='harbour'] .room-unread");
        var quiet = rooms.Locator("[data-room='quiet'] .room-unread");

        await page.GotoAsync(home);
        await Expect(rooms).ToHaveAttributeAsync("data-unread", "shown");
        await Expect(general).ToBeHiddenAsync();
        await Expect(harbour).ToBeHiddenAsync();
        await Expect(quiet).ToBeHiddenAsync(); // never opened here: nothing there is news to this browser

        for (var i = 1; i <= 3; i++)
        {
            await client.SendAsync(Room, "Bob", $"unread {i}");
        }
        for (var i = 1; i <= 100; i++)
        {
            await client.SendAsync("harbour", "Bob", $"a busy harbour {i}");
        }
        await client.SendAsync("quiet", "Bob", "still not news here");

        await page.ReloadAsync();
        await Expect(rooms).ToHaveAttributeAsync("data-unread", "shown");
        await Expect(general).ToHaveAttributeAsync("data-count", "3");
        await Expect(general).ToHaveTextAsync("3 unread messages");
        await Expect(general).ToBeVisibleAsync();
        await Expect(harbour).ToHaveAttributeAsync("data-count", "99+");
        await Expect(quiet).ToBeHiddenAsync();

        // Reading the room clears its marker, and only its.
        await Session.GoToRoomAsync(page);
        await page.GotoAsync(home);
        await Expect(rooms).ToHaveAttributeAsync("data-unread", "shown");
        await Expect(general).ToBeHiddenAsync();
        await Expect(harbour).ToHaveAttributeAsync("data-count", "99+");

        // Another browser keeps its own account.
        var other = await Session.NewPageAsync();
        await other.GotoAsync(home);
        await Expect(other.Locator("#rooms")).ToHaveAttributeAsync("data-unread", "shown");
        await Expect(other.Locator("#rooms .room-unread:visible")).ToHaveCountAsync(0);
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task An_open_room_list_updates_unread_counts_and_online_figures_by_itself()
    {
        var page = await Session.OpenRoomAsync();
        await page.GotoAsync(App.BaseAddress.ToString());
        var rooms = page.Locator("#rooms");
        await Expect(rooms).ToHaveAttributeAsync("data-unread", "shown");
        var general = rooms.Locator($"[data-room='{Room}']");
        await Expect(general.Locator(".room-unread")).ToBeHiddenAsync();
        await Expect(general.Locator(".room-online")).ToHaveTextAsync("0 online");

        // Someone else opens the room and writes while this list stays open: no reload.
        var other = await Session.OpenRoomAsync();
        await other.PickNameAsync("Bob");
        using var client = App.CreateChatClient();
        await client.SendAsync(Room, "Bob", "news one");
        await client.SendAsync(Room, "Bob", "news two");

        await Expect(general.Locator(".room-unread")).ToHaveAttributeAsync("data-count", "2");
        await Expect(general.Locator(".room-unread")).ToBeVisibleAsync();
        await Expect(general.Locator(".room-online")).ToHaveTextAsync("1 online");
        await Expect(general.Locator(".room-online")).ToHaveAttributeAsync("data-online", "1");

        // Read in another tab of this browser: the marker goes away here too.
        await Session.GoToRoomAsync(await page.Context.NewPageAsync());
        await Expect(general.Locator(".room-unread")).ToBeHiddenAsync();
        Session.AssertNoScriptErrors();
    }
}
