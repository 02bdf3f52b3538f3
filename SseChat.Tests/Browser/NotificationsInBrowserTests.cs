using SseChat.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;

namespace SseChat.Tests.Browser;

/// <summary>
/// How a reader hears of new messages, in a real Chromium against the real app: a short announcement for screen
/// readers, and while the tab is in the background a count in its title and, once opted in, a browser notification
/// per message, never for their own.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class NotificationsInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium)
{
    // Records each notification the page creates; the browser's own Notification still makes it.
    private const string RecordNotifications = """
        window.__notifications = [];
        window.Notification = class extends window.Notification {
          constructor(title, options) {
            super(title, options);
            window.__notifications.push({ title, body: options?.body ?? null });
          }
        };
        """;

    // Headless pages are always visible: tell the page its tab went to the background (or came back).
    private const string SetVisibility = """
        (state) => {
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
          Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
          document.dispatchEvent(new Event('visibilitychange'));
        }
        """;

    [Fact]
    public async Task Hidden_tab_counts_others_messages_in_its_title_and_notifies_once_opted_in()
    {
        var context = await Session.NewContextAsync();
        await context.GrantPermissionsAsync(["notifications"], new() { Origin = App.BaseAddress.GetLeftPart(UriPartial.Authority) });
        await context.AddInitScriptAsync(RecordNotifications);
        var page = await Session.OpenRoomAsync(context);
        await page.PickNameAsync("Ann");
        await Expect(page).ToHaveTitleAsync("General · SseChat");
        using var client = App.CreateChatClient();

        // Visible: announced briefly for screen readers, no badge, no notification.
        var toggle = page.Locator("#notify-toggle");
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        var seen = await client.SendAsync(Room, "Bob", "while you look");
        await Expect(Message(page, seen.Seq)).ToHaveCountAsync(1);
        await Expect(page.Locator("#announcer")).ToHaveTextAsync("New message from Bob");
        await Expect(page).ToHaveTitleAsync("General · SseChat");

        // Hidden: others' messages count; the reader's own (posted from elsewhere under their name) do not.
        await page.EvaluateAsync(SetVisibility, "hidden");
        await client.SendAsync(Room, "Bob", "one");
        await client.SendAsync(Room, "Ann", "my own, from my phone");
        await client.SendAsync(Room, "Bob", "<b>two</b>");
        var last = await client.SendAsync(Room, "Cid", "three");
        await Expect(Message(page, last.Seq)).ToHaveCountAsync(1);
        await Expect(page).ToHaveTitleAsync("(3) General · SseChat");
        var notifications = await page.EvaluateAsync<string[]>(
            "() => window.__notifications.map((n) => `${n.title}: ${n.body}`)");
        Assert.Equal(["Bob in General: one", "Bob in General: <b>two</b>", "Cid in General: three"], notifications);

        // Back: the badge goes.
        await page.EvaluateAsync(SetVisibility, "visible");
        await Expect(page).ToHaveTitleAsync("General · SseChat");

        // Opted out: hidden tabs still count, but no notification.
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        await page.EvaluateAsync(SetVisibility, "hidden");
        var quiet = await client.SendAsync(Room, "Bob", "quietly");
        await Expect(Message(page, quiet.Seq)).ToHaveCountAsync(1);
        await Expect(page).ToHaveTitleAsync("(1) General · SseChat");
        Assert.Equal(3, await page.EvaluateAsync<int>("() => window.__notifications.length"));
        Session.AssertNoScriptErrors();
    }
}
