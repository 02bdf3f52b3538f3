using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;

namespace SseChat.Tests.Browser;

/// <summary>
/// The admin area in a real Chromium against the real app: signing in through the form, creating a room with the
/// slug derived as the name is typed, room changes reaching an open room page live (rename, archive, delete), and
/// removing a message from the room page. The administrator and the visitor use separate browser contexts (own
/// cookies), so the visitor is anonymous. Each test has its own app and database.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class AdminInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium, Settings)
{
    private const string AdminName = "root";
    private const string AdminPassword = "a long and private passphrase";

    // A short retry: a page whose stream ends would be back within 0.5 s if it were going to reconnect.
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Chat:RetryInterval"] = "00:00:00.500",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await AdminSession.CreateAdministratorAsync(App, AdminName, AdminPassword);
    }

    [Fact]
    public async Task Admin_signs_in_creates_a_room_and_visitors_see_it()
    {
        var admin = await SignInAsync();

        await admin.GetByRole(AriaRole.Link, new() { Name = "New room" }).ClickAsync();
        await Expect(admin).ToHaveURLAsync(Session.Url("admin/rooms/new"));
        await admin.WaitForLoadStateAsync(LoadState.Load); // module scripts have run by the load event

        // Typed key by key, as a person would: the slug follows the name while its own field is untouched.
        var form = admin.Locator("form#room-form");
        await form.Locator("input[name=Name]").PressSequentiallyAsync("Team Café");
        await Expect(form.Locator("input[name=Slug]")).ToHaveValueAsync("team-cafe");
        await form.Locator("input[name=Topic]").FillAsync("Coffee & planning");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();

        await Expect(admin).ToHaveURLAsync(Session.Url("admin"));
        var row = admin.Locator("#admin-rooms tr[data-slug='team-cafe']");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("Team Café");
        await Expect(row).ToContainTextAsync("Coffee & planning");

        // A visitor (no admin cookie) finds it on the home page and opens it.
        var visitor = await Session.NewPageAsync();
        await visitor.GotoAsync(Session.Url(""));
        var link = visitor.Locator("#rooms").GetByRole(AriaRole.Link, new() { Name = "Team Café" });
        await Expect(link).ToHaveCountAsync(1);
        await Expect(link).ToContainTextAsync("Coffee & planning");
        await link.ClickAsync();

        await Expect(visitor).ToHaveURLAsync(Session.Url("rooms/team-cafe"));
        await Expect(visitor.Locator("#room-name")).ToHaveTextAsync("Team Café");
        await Expect(visitor.Locator("#room-topic")).ToHaveTextAsync("Coffee & planning");
        await Expect(visitor.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        await Expect(visitor.Locator("#composer-fields textarea[name=text]")).ToBeEnabledAsync();
        Session.AssertNoScriptErrors();
    }

    [Theory]
    [InlineData("en-US", @"^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$")]
    [InlineData("zh-CN", @"^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$")]
    public async Task Last_activity_shows_date_and_time_in_the_reader_s_language(string locale, string expected)
    {
        using (var client = App.CreateChatClient())
        {
            await client.SendAsync("general", "Ann", "hello");
        }

        var admin = await SignInAsync(new BrowserNewContextOptions { Locale = locale, TimezoneId = "Asia/Shanghai" });

        await Expect(admin.Locator("#admin-rooms tr[data-slug='general'] time")).ToHaveTextAsync(new Regex(expected));
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Room_page_follows_rename_archive_and_delete_live()
    {
        const string slug = "harbour";
        await App.AddRoomAsync(slug);

        var streamRequests = 0;
        var visitor = await Session.NewPageAsync();
        visitor.Request += (_, request) =>
        {
            if (new Uri(request.Url).AbsolutePath == $"/stream/{slug}")
            {
                Interlocked.Increment(ref streamRequests);
            }
        };
        await Session.GoToRoomAsync(visitor, slug);
        // Picking a name reopens the stream under it (to be listed online); from then on one stream carries everything.
        await visitor.PickNameAsync("Ann");
        await Expect(visitor.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        var streamsBefore = Volatile.Read(ref streamRequests);
        await visitor.EvaluateAsync("() => { window.__sameDocument = 'not reloaded'; }");
        var name = visitor.Locator("#room-name");
        var topic = visitor.Locator("#room-topic");
        var archived = visitor.Locator("#room-archived");
        var gone = visitor.Locator("#room-gone");
        var status = visitor.Locator("#connection-status");
        var textBox = visitor.Locator("#composer-fields textarea[name=text]");
        var send = visitor.Locator("#composer-fields button[type=submit]");
        await Expect(archived).ToBeHiddenAsync();
        await Expect(textBox).ToBeEnabledAsync();

        var admin = await SignInAsync();

        // Rename and new topic.
        await admin.GotoAsync(Session.Url($"admin/rooms/{slug}/edit"));
        await admin.Locator("input[name=Name]").FillAsync("Harbour Watch");
        await admin.Locator("input[name=Topic]").FillAsync("Ships in, ships out");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(admin).ToHaveURLAsync(Session.Url("admin"));
        await Expect(name).ToHaveTextAsync("Harbour Watch", new() { Timeout = 5_000 });
        await Expect(topic).ToHaveTextAsync("Ships in, ships out");
        await Expect(visitor).ToHaveTitleAsync("Harbour Watch · SseChat");

        // Archive: read-only.
        var row = admin.Locator($"#admin-rooms tr[data-slug='{slug}']");
        await row.GetByRole(AriaRole.Button, new() { Name = "Archive" }).ClickAsync();
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Unarchive" })).ToHaveCountAsync(1);
        await Expect(archived).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await Expect(textBox).ToBeDisabledAsync();
        await Expect(send).ToBeDisabledAsync();
        await Expect(name).ToHaveTextAsync("Harbour Watch");

        // Unarchive: open again.
        await row.GetByRole(AriaRole.Button, new() { Name = "Unarchive" }).ClickAsync();
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Archive" })).ToHaveCountAsync(1);
        await Expect(archived).ToBeHiddenAsync(new() { Timeout = 5_000 });
        await Expect(textBox).ToBeEnabledAsync();
        await Expect(send).ToBeEnabledAsync();
        await Expect(status).ToHaveAttributeAsync("data-state", "live");
        var posted = await PostAsync(visitor, slug, "Open again");
        await Expect(Message(visitor, posted.Seq)).ToHaveCountAsync(1);
        Assert.Equal("not reloaded", await visitor.EvaluateAsync<string?>("() => window.__sameDocument ?? null"));
        Assert.Equal(streamsBefore, Volatile.Read(ref streamRequests)); // all of the above came over the one stream

        // Delete, confirmed by typing the slug.
        await row.GetByRole(AriaRole.Link, new() { Name = "Delete" }).ClickAsync();
        await Expect(admin).ToHaveURLAsync(Session.Url($"admin/rooms/{slug}/delete"));
        await admin.Locator("input[name=ConfirmSlug]").FillAsync(slug);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Delete this room" }).ClickAsync();
        await Expect(admin).ToHaveURLAsync(Session.Url("admin"));
        await Expect(admin.Locator($"#admin-rooms tr[data-slug='{slug}']")).ToHaveCountAsync(0);

        await Expect(gone).ToBeVisibleAsync(new() { Timeout = 5_000 });
        var requestsWhenGone = Volatile.Read(ref streamRequests);
        await Expect(status).Not.ToHaveAttributeAsync("data-state", "live");
        await Expect(archived).ToBeHiddenAsync();
        await Expect(textBox).ToBeDisabledAsync();

        // And it stays gone: with a 0.5 s retry, a page that kept reconnecting would ask ~6 times in 3 s.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.InRange(Volatile.Read(ref streamRequests) - requestsWhenGone, 0, 1);
        await Expect(gone).ToBeVisibleAsync();
        await Expect(status).Not.ToHaveAttributeAsync("data-state", "live");
        Assert.Equal("not reloaded", await visitor.EvaluateAsync<string?>("() => window.__sameDocument ?? null"));
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Admin_removes_a_message_from_the_room_page_and_every_page_drops_it()
    {
        const string slug = "general";
        var visitor = await Session.OpenRoomAsync(slug: slug);
        await visitor.PickNameAsync("Ann");
        var first = await PostAsync(visitor, slug, "Something regrettable");
        var second = await PostAsync(visitor, slug, "Something fine");
        await Expect(Message(visitor, first.Seq)).ToHaveCountAsync(1);
        await Expect(Message(visitor, second.Seq)).ToHaveCountAsync(1);

        var admin = await SignInAsync();
        await Session.GoToRoomAsync(admin, slug);
        await Expect(Message(admin, first.Seq).Locator(".message-text")).ToHaveTextAsync(first.Text);
        await Expect(admin.Locator("#messages .message-remove")).ToHaveCountAsync(2);
        Assert.Equal(0, await visitor.Locator(".message-remove").CountAsync());

        var dialogs = new ConcurrentQueue<string>();
        admin.Dialog += async (_, dialog) =>
        {
            dialogs.Enqueue($"{dialog.Type}: {dialog.Message}");
            await dialog.AcceptAsync();
        };
        var removal = await admin.RunAndWaitForResponseAsync(
            () => Message(admin, first.Seq).Locator(".message-remove").ClickAsync(),
            response => response.Request.Method == "POST" && response.Url.EndsWith($"/{Seq(first.Seq)}/remove", StringComparison.Ordinal));
        Assert.Equal(204, removal.Status);
        Assert.Equal("confirm", Assert.Single(dialogs).Split(':')[0]);

        // Gone from both open pages at once (the admin's from its own reply and stream, the visitor's from the stream).
        await Expect(Message(admin, first.Seq)).ToHaveCountAsync(0, new() { Timeout = 2_000 });
        await Expect(Message(visitor, first.Seq)).ToHaveCountAsync(0, new() { Timeout = 2_000 });
        await Expect(Message(admin, second.Seq).Locator(".message-text")).ToHaveTextAsync(second.Text);
        await Expect(Message(visitor, second.Seq).Locator(".message-text")).ToHaveTextAsync(second.Text);

        // A page loaded afterwards never shows it.
        var later = await Session.OpenRoomAsync(slug: slug);
        await Expect(Message(later, second.Seq).Locator(".message-text")).ToHaveTextAsync(second.Text);
        await Expect(Message(later, first.Seq)).ToHaveCountAsync(0);
        await Expect(later.Locator("#messages")).Not.ToContainTextAsync(first.Text);
        await Expect(visitor.Locator("#messages")).Not.ToContainTextAsync(first.Text);
        Session.AssertNoScriptErrors();
    }

    /// <summary>A new browser context signed in through the real sign-in page, left on the rooms table.</summary>
    private async Task<IPage> SignInAsync(BrowserNewContextOptions? options = null)
    {
        var page = await Session.NewPageAsync(await Session.NewContextAsync(options));
        await page.GotoAsync(Session.Url("admin"));
        await Expect(page).ToHaveURLAsync(new Regex("/admin/login"));
        await Session.SubmitSignInAsync(page, AdminName, AdminPassword);
        return page;
    }

    /// <summary>Sends through the page's composer (author already filled in) and returns the stored message.</summary>
    private async Task<ChatMessage> PostAsync(IPage page, string slug, string text)
    {
        await page.Locator("#composer textarea[name=text]").FillAsync(text);
        var response = await page.RunAndWaitForResponseAsync(
            () => page.Locator("#composer button[type=submit]").ClickAsync(), Session.IsPost(slug));
        Assert.Equal(201, response.Status);
        var message = await ReadMessageAsync(response);
        Assert.Equal(text, message.Text);
        return message;
    }

    private static string Seq(long seq) => seq.ToString(CultureInfo.InvariantCulture);
}
