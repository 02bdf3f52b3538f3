using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;

namespace SseChat.Tests.Browser;

/// <summary>
/// Who is who and who is here, in a real Chromium against the real app: the remembered display name, the online
/// list and "is typing…" across two browsers, the admin badge, names shown as text, and eight tabs of one browser
/// sharing a single stream (past the six-connection limit) that survives its leader tab closing.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class PresenceInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium, Settings)
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Chat:RetryInterval"] = "00:00:00.500",
        ["Chat:PresenceLeaveGrace"] = "00:00:01",
        ["Chat:TypingExpiry"] = "00:00:03",
    };

    [Fact]
    public async Task Display_name_is_picked_once_remembered_across_reloads_and_changeable()
    {
        var page = await OpenRoomAsync(await Session.NewContextAsync());
        await Expect(page.Locator("#composer input[name=author]")).ToBeHiddenAsync();
        await Expect(page.Locator("#identity-form")).ToBeVisibleAsync(); // nobody yet: the name form asks

        // Sending without a name opens the name form instead of posting.
        await page.Locator("#composer textarea[name=text]").FillAsync("Who am I?");
        await page.Locator("#composer textarea[name=text]").PressAsync("Enter");
        await Expect(page.Locator("#identity-error")).ToHaveTextAsync("Pick a name before you send.");
        await Expect(page.Locator("#messages > li.message")).ToHaveCountAsync(0);

        // Too long is refused with the server's rule.
        await page.Locator("#identity-input").EvaluateAsync("input => { input.removeAttribute('maxlength'); input.value = 'x'.repeat(33); }");
        await page.Locator("#identity-input").PressAsync("Enter");
        await Expect(page.Locator("#identity-error")).ToHaveTextAsync("Your name can be at most 32 characters.");

        await page.PickNameAsync("  Ann  ");
        var first = await SendAsync(page, "Hello, I am Ann");
        Assert.Equal("Ann", first.Author);

        await page.ReloadAsync();
        await Expect(page.Locator("#identity-name")).ToHaveTextAsync("Ann");
        await Expect(page.Locator("#identity-form")).ToBeHiddenAsync();

        await page.PickNameAsync("Annie");
        var second = await SendAsync(page, "Call me Annie");
        Assert.Equal("Annie", second.Author);
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Two_browsers_see_each_other_online_a_reload_is_no_leave_and_a_closed_browser_leaves_after_the_grace()
    {
        var ann = await OpenRoomAsync(await Session.NewContextAsync(), name: "Ann");
        var bobContext = await Session.NewContextAsync();
        var bob = await OpenRoomAsync(bobContext, name: "Bob");

        await Expect(OnlineNames(ann)).ToHaveTextAsync(["Ann", "Bob"]);
        await Expect(OnlineNames(bob)).ToHaveTextAsync(["Ann", "Bob"]);
        await Expect(ann.Locator("#presence-count")).ToHaveTextAsync("2");

        // Ann's page records every list it is shown: a reload of Bob's must not take him off it, not even briefly.
        await ann.EvaluateAsync("""
            () => {
              window.__presenceSeen = [];
              new MutationObserver(() => window.__presenceSeen.push(
                Array.from(document.querySelectorAll('#presence-list li'), (li) => li.textContent).join(',')))
                .observe(document.getElementById('presence-list'), { childList: true });
            }
            """);
        await bob.ReloadAsync();
        await Expect(bob.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        await Task.Delay(TimeSpan.FromSeconds(2)); // twice the grace period
        var seen = await ann.EvaluateAsync<string[]>("() => window.__presenceSeen");
        Assert.DoesNotContain("Ann", seen);
        await Expect(OnlineNames(ann)).ToHaveTextAsync(["Ann", "Bob"]);

        await bobContext.CloseAsync();
        await Expect(OnlineNames(ann)).ToHaveTextAsync(["Ann"], new() { Timeout = 5_000 });
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Typing_shows_in_the_other_browser_expires_by_itself_and_a_message_clears_it_at_once()
    {
        var ann = await OpenRoomAsync(await Session.NewContextAsync(), name: "Ann");
        var bob = await OpenRoomAsync(await Session.NewContextAsync(), name: "Bob");
        var indicator = bob.Locator("#typing");
        var textBox = ann.Locator("#composer textarea[name=text]");

        await textBox.PressSequentiallyAsync("Hel");
        await Expect(indicator).ToHaveTextAsync("Ann is typing…");
        await Expect(ann.Locator("#typing")).ToBeHiddenAsync(); // nobody is told about their own typing
        await Expect(indicator).ToBeHiddenAsync(new() { Timeout = 6_000 }); // 3 s after the only notice

        await textBox.PressSequentiallyAsync("lo");
        await Expect(indicator).ToHaveTextAsync("Ann is typing…");
        await textBox.PressAsync("Enter");
        await Expect(bob.Locator("#messages > li.message .message-text")).ToHaveTextAsync(["Hello"]);
        await Expect(indicator).ToBeHiddenAsync(new() { Timeout = 1_000 }); // well before the notice runs out
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Names_in_the_online_list_and_typing_indicator_are_text_never_markup()
    {
        const string name = "<img src=x onerror=__xss=1>";
        var eve = await OpenRoomAsync(await Session.NewContextAsync(), name: name);
        var bob = await OpenRoomAsync(await Session.NewContextAsync(), name: "Bob");

        await eve.Locator("#composer textarea[name=text]").PressSequentiallyAsync("hi");

        await Expect(OnlineNames(bob)).ToHaveTextAsync([name, "Bob"]);
        await Expect(bob.Locator("#typing")).ToHaveTextAsync($"{name} is typing…");
        Assert.Equal(0, await bob.Locator("#presence img, #typing img").CountAsync());
        Assert.Null(await bob.EvaluateAsync<int?>("() => window.__xss ?? null"));
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_signed_in_administrators_message_carries_the_badge_on_every_page_and_a_visitors_does_not()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
        var adminContext = await Session.NewContextAsync();
        var signIn = await Session.NewPageAsync(adminContext);
        await signIn.GotoAsync(Session.Url("admin/login"));
        await signIn.Locator("input[name=UserName]").FillAsync("root");
        await signIn.Locator("input[name=Password]").FillAsync(AdminSession.DefaultPassword);
        await signIn.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(signIn.Locator("#admin-rooms")).ToBeVisibleAsync();
        var admin = await OpenRoomAsync(adminContext, name: "Moderator");
        var visitor = await OpenRoomAsync(await Session.NewContextAsync(), name: "Ann");

        var fromAdmin = await SendAsync(admin, "Welcome!");
        var fromVisitor = await SendAsync(visitor, "Thanks!");

        Assert.True(fromAdmin.Admin);
        Assert.False(fromVisitor.Admin);
        foreach (var page in new[] { admin, visitor })
        {
            await Expect(Message(page, fromAdmin.Seq).Locator(".message-admin")).ToBeVisibleAsync();
            await Expect(Message(page, fromVisitor.Seq).Locator(".message-text")).ToHaveTextAsync("Thanks!");
            await Expect(Message(page, fromVisitor.Seq).Locator(".message-admin")).ToBeHiddenAsync();
        }
        var later = await OpenRoomAsync(await Session.NewContextAsync()); // rendered by the server this time
        await Expect(Message(later, fromAdmin.Seq).Locator(".message-admin")).ToBeVisibleAsync();
        await Expect(Message(later, fromVisitor.Seq).Locator(".message-admin")).ToBeHiddenAsync();
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Eight_tabs_of_one_browser_share_one_stream_and_keep_receiving_after_the_leader_tab_closes()
    {
        // One context: its tabs share the browser's six connections per origin, as a real browser's tabs do.
        var context = await Session.NewContextAsync();
        var tabs = new List<IPage>();
        for (var i = 0; i < 8; i++)
        {
            tabs.Add(await OpenRoomAsync(context, name: i == 0 ? "Ann" : null));
        }
        using var client = App.CreateChatClient();
        var roomId = await RoomIdAsync();
        var broadcaster = App.Services.GetRequiredService<RoomBroadcaster>();
        Assert.Equal(1, broadcaster.CountSubscribers(roomId));

        var first = await client.SendAsync(Room, "Bob", "To every tab");
        foreach (var tab in tabs)
        {
            await Expect(Message(tab, first.Seq)).ToHaveCountAsync(1, new() { Timeout = 5_000 });
        }

        // The first tab took the lock, so it holds the stream: close it, and post while nobody holds one.
        await tabs[0].CloseAsync();
        tabs.RemoveAt(0);
        var whileHandingOver = await client.SendAsync(Room, "Bob", "While the stream changes hands");
        var afterwards = await client.SendAsync(Room, "Bob", "After the leader left");
        foreach (var tab in tabs)
        {
            foreach (var message in new[] { first, whileHandingOver, afterwards })
            {
                await Expect(Message(tab, message.Seq)).ToHaveCountAsync(1, new() { Timeout = 5_000 });
            }
            await Expect(tab.Locator("#messages > li.message")).ToHaveCountAsync(3);
            await Expect(tab.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        }
        Assert.Equal(1, broadcaster.CountSubscribers(roomId));
        await Expect(OnlineNames(tabs[0])).ToHaveTextAsync(["Ann"]); // the new leader streams under the same name
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_tab_whose_script_starts_after_the_leader_relayed_a_message_still_shows_it()
    {
        var context = await Session.NewContextAsync();
        var leader = await OpenRoomAsync(context);
        using var client = App.CreateChatClient();

        // The second tab's page is rendered before the message, but its script only runs after the leader has
        // relayed it: the tab must ask the leader for what it missed.
        var scriptHeld = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var late = await Session.NewPageAsync(context);
        await late.RouteAsync("**/js/room.js*", async route =>
        {
            scriptHeld.TrySetResult();
            await release.Task;
            await route.ContinueAsync();
        });
        var navigation = late.GotoAsync(Session.RoomUrl().ToString());
        await scriptHeld.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var missed = await client.SendAsync(Room, "Bob", "Sent while the tab was starting");
        await Expect(Message(leader, missed.Seq)).ToHaveCountAsync(1, new() { Timeout = 5_000 });
        release.SetResult();
        await navigation;

        await Expect(Message(late, missed.Seq)).ToHaveCountAsync(1, new() { Timeout = 5_000 });
        await Expect(late.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        var next = await client.SendAsync(Room, "Bob", "And the next one");
        await Expect(Message(late, next.Seq)).ToHaveCountAsync(1, new() { Timeout = 5_000 });
        await Expect(late.Locator("#messages > li.message")).ToHaveCountAsync(2);
        Session.AssertNoScriptErrors();
    }

    /// <summary>A new tab of <paramref name="context"/> on the room page, live, with the name picked if given.</summary>
    private async Task<IPage> OpenRoomAsync(IBrowserContext context, string? name = null)
    {
        var page = await Session.OpenRoomAsync(context);
        if (name is not null)
        {
            await page.PickNameAsync(name);
            await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        }
        return page;
    }

    private async Task<ChatMessage> SendAsync(IPage page, string text)
    {
        var textBox = page.Locator("#composer textarea[name=text]");
        await textBox.FillAsync(text);
        var response = await page.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), Session.IsPost());
        Assert.Equal(201, response.Status);
        return await ReadMessageAsync(response);
    }

    private async Task<int> RoomIdAsync()
    {
        await using var db = App.CreateDbContext();
        return (await db.Rooms.SingleAsync(r => r.Slug == Room)).Id;
    }

    private static ILocator OnlineNames(IPage page) => page.Locator("#presence-list li");
}
