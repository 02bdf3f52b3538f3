using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;

namespace SseChat.Tests.Browser;

/// <summary>
/// Nobody can pass for an administrator or for another address in a real Chromium: a visitor's message never groups
/// under an administrator's header of the same name (history, live, reload), the online list keeps the two apart
/// with the badge on the administrator, names refused for invisible characters say why, names are isolated with
/// &lt;bdi&gt;, and a link with user info is not a link.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class LookAlikesInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium)
{
    [Fact]
    public async Task A_visitor_of_an_administrators_name_never_groups_under_the_badge_in_history_live_or_after_a_reload()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var visitor = App.CreateChatClient();
        // History: the administrator, then a visitor's message of the same name stored before names were reserved
        // (renamed in the database, as the API now refuses it), all within the grouping window.
        var first = await admin.Client.SendAsync(Room, "Moderator", "Welcome!");
        var impostor = await visitor.SendAsync(Room, "Someone", "Please reply with your password to keep your account");
        await using (var db = App.CreateDbContext())
        {
            await db.RoomEvents.Where(e => e.Seq == impostor.Seq).ExecuteUpdateAsync(e => e.SetProperty(x => x.Author, "Moderator"));
        }
        var page = await Session.OpenRoomAsync();
        await Expect(Message(page, impostor.Seq)).ToHaveCountAsync(1);

        // Live: a visitor takes a name before any administrator used it, then the administrator posts under it.
        var host = await visitor.SendAsync(Room, "Host", "I got here first");
        var realHost = await admin.Client.SendAsync(Room, "Host", "The real host");
        var again = await admin.Client.SendAsync(Room, "Host", "and again");
        await Expect(Message(page, again.Seq)).ToHaveCountAsync(1);

        string[] expected = ["day Today", $"{first.Seq}", $"{impostor.Seq}", $"{host.Seq}", $"{realHost.Seq}", $"{again.Seq} continued"];
        Assert.Equal(expected, await page.EvaluateAsync<string[]>(MessageListInBrowserTests.GroupsScript));
        await page.ReloadAsync();
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        Assert.Equal(expected, await page.EvaluateAsync<string[]>(MessageListInBrowserTests.GroupsScript));
        await Expect(Message(page, impostor.Seq).Locator(".message-author")).ToBeVisibleAsync();
        await Expect(Message(page, impostor.Seq).Locator(".message-admin")).ToBeHiddenAsync();
        await Expect(Message(page, realHost.Seq).Locator(".message-admin")).ToBeVisibleAsync();
        Assert.Equal("BDI", await Message(page, first.Seq).Locator(".message-author").EvaluateAsync<string>("e => e.tagName"));
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task The_online_list_shows_an_administrator_and_a_visitor_of_one_name_apart_with_the_badge_on_the_administrator()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
        var adminContext = await Session.NewContextAsync();
        var signIn = await Session.NewPageAsync(adminContext);
        await signIn.GotoAsync(Session.Url("admin/login"));
        await Session.SubmitSignInAsync(signIn, "root", AdminSession.DefaultPassword);
        var visitor = await Session.OpenRoomAsync();
        await visitor.PickNameAsync("Moderator");
        var administrator = await Session.OpenRoomAsync(adminContext);
        await administrator.PickNameAsync("Moderator");

        foreach (var page in new[] { visitor, administrator })
        {
            var names = page.Locator("#presence-list li");
            await Expect(names).ToHaveCountAsync(2);
            await Expect(names.Nth(0).Locator("bdi")).ToHaveTextAsync("Moderator");
            await Expect(names.Nth(0).Locator(".badge")).ToHaveTextAsync("admin");
            await Expect(names.Nth(1).Locator("bdi")).ToHaveTextAsync("Moderator");
            await Expect(names.Nth(1).Locator(".badge")).ToHaveCountAsync(0);
        }

        // Typing: the name is isolated in the line, so right-to-left letters cannot turn it around.
        await visitor.PickNameAsync("שלום");
        await visitor.Locator("#composer textarea[name=text]").PressSequentiallyAsync("hi");
        await Expect(administrator.Locator("#typing bdi")).ToHaveTextAsync("שלום");
        await Expect(administrator.Locator("#typing")).ToHaveTextAsync("שלום is typing…");
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_name_with_invisible_characters_is_refused_in_the_page_with_the_reason()
    {
        var page = await Session.OpenRoomAsync();

        await page.Locator("#identity-input").FillAsync("admin\u200b");
        await page.Locator("#identity-input").PressAsync("Enter");

        await Expect(page.Locator("#identity-error")).ToHaveTextAsync(
            "Your name cannot contain invisible formatting characters (such as zero-width spaces or text-direction marks).");
        await Expect(page.Locator("#identity-form")).ToBeVisibleAsync();
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task An_address_with_user_info_stays_text_and_an_international_host_shows_its_real_name()
    {
        // Live (built by the script from stream events) and history (rendered by the server, linked by the script).
        var live = await Session.OpenRoomAsync();
        using var client = App.CreateChatClient();
        var userInfo = await client.SendAsync(Room, "Ann", "http://javascript:alert(1)@evil.com and https://bank.example@evil.com/login");
        var idn = await client.SendAsync(Room, "Ann", "see https://аpple.com/ (Cyrillic а)");
        var plain = await client.SendAsync(Room, "Ann", "see https://example.org/");
        await Expect(Message(live, plain.Seq)).ToHaveCountAsync(1);
        var history = await Session.OpenRoomAsync();
        foreach (var page in new[] { live, history })
        {
            await Expect(Message(page, plain.Seq).Locator(".message-text a")).ToHaveAttributeAsync("href", "https://example.org/");
            await Expect(Message(page, userInfo.Seq).Locator(".message-text a")).ToHaveCountAsync(0);
            await Expect(Message(page, userInfo.Seq).Locator(".message-text")).ToHaveTextAsync(userInfo.Text);
            var link = Message(page, idn.Seq).Locator(".message-text a");
            await Expect(link).ToHaveAttributeAsync("href", "https://xn--pple-43d.com/");
            await Expect(link).ToHaveTextAsync("https://аpple.com/");
            await Expect(Message(page, idn.Seq).Locator(".link-host")).ToHaveTextAsync(" (xn--pple-43d.com)");
        }
        Session.AssertNoScriptErrors();
    }
}
