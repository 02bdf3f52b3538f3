using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Data;

using static Microsoft.Playwright.Assertions;

namespace SseChat.Tests.Browser;

/// <summary>
/// In a real Chromium: the pages work under the Content-Security-Policy (no violation anywhere), and markup in every
/// user-controlled field (author, text, room name and topic) is shown as text wherever it appears: the room list,
/// the room page's history and live updates, and the admin pages.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class SecurityInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium)
{
    private const string Password = AdminSession.DefaultPassword;

    // Each payload marks whatever element it would create with data-xss, and would set window.__xss or open a
    // dialog if any of its script ran. Checking for both makes the test independent of the CSP, which would also
    // stop the scripts (but not the elements) of an encoding bug.
    private const string RoomName = "<img src=x data-xss onerror=\"window.__xss='name'\">";
    private const string Topic = "<script data-xss>window.__xss='topic'</script><svg data-xss onload=\"alert('topic')\">";
    private const string Author = "<svg data-xss onload=alert(1)>";
    private const string Text = "<img src=x data-xss onerror=\"alert('text')\"><script data-xss>window.__xss='text'</script>";
    private const string LiveText = "<iframe data-xss srcdoc=\"<script>parent.__xss='live'</script>\"></iframe>";
    private const string Renamed = "<b data-xss onmouseover=alert(2)>renamed</b>";

    private readonly ConcurrentQueue<string> problems = new();

    [Fact]
    public async Task Room_and_admin_pages_work_under_the_Content_Security_Policy()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", Password);
        var page = await NewPageAsync();

        await page.GotoAsync(Session.Url(""));
        await page.GotoAsync(Session.Url("rooms/general"));
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        await page.PickNameAsync("Ann");
        await page.Locator("#composer textarea[name=text]").FillAsync("Scripts run from files only");
        await page.Locator("#composer button[type=submit]").ClickAsync();
        await Expect(page.Locator("#messages .message-text")).ToHaveTextAsync("Scripts run from files only");

        await SignInAsync(page);
        foreach (var path in new[] { "admin", "admin/rooms/new", "admin/rooms/general/edit", "admin/rooms/general/messages",
            "admin/rooms/general/delete", "admin/audit", "admin/password" })
        {
            var response = await page.GotoAsync(Session.Url(path));
            Assert.Equal(200, response?.Status);
        }
        // The room form's script (slug from name) runs, and the page's own stylesheet applies.
        await page.GotoAsync(Session.Url("admin/rooms/new"));
        await page.Locator("[data-room-name]").FillAsync("Night Owls");
        await Expect(page.Locator("[data-room-slug]")).ToHaveValueAsync("night-owls");
        Assert.Equal("640px", await page.Locator(".form-page").EvaluateAsync<string>("e => getComputedStyle(e).maxWidth"));

        Assert.Empty(problems);
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Markup_in_every_user_field_is_shown_as_text_wherever_it_appears()
    {
        await using (var db = App.CreateDbContext())
        {
            db.Rooms.Add(new Room { Slug = "xss", Name = RoomName, Topic = Topic, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        using var poster = App.CreateChatClient();
        await poster.SendAsync("xss", Author, Text);
        var page = await NewPageAsync();

        await page.GotoAsync(Session.Url(""));
        await AssertShownAsTextAsync(page, RoomName, Topic);

        await page.GotoAsync(Session.Url("rooms/xss"));
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        await AssertShownAsTextAsync(page, RoomName, Topic, Author, Text);

        // Live: a message and a rename arrive over the stream and are added by the page's script.
        var live = await poster.SendAsync("xss", Author, LiveText);
        await Expect(page.Locator($"#messages > li.message[data-seq='{live.Seq.ToString(CultureInfo.InvariantCulture)}']")).ToHaveCountAsync(1);
        using var admin = await AdminSession.SignInAsync(App, "root", Password);
        using var renamed = await admin.SubmitFormAsync("admin/rooms/xss/edit", "form[action$='/edit']",
            new Dictionary<string, string> { ["Name"] = Renamed });
        Assert.Equal(System.Net.HttpStatusCode.Redirect, renamed.StatusCode);
        await Expect(page.Locator("#room-name")).ToHaveTextAsync(Renamed);
        await AssertShownAsTextAsync(page, Renamed, Author, Text, LiveText);

        await SignInAsync(page);
        await page.GotoAsync(Session.Url("admin"));
        await AssertShownAsTextAsync(page, Renamed, Topic);
        await page.GotoAsync(Session.Url("admin/rooms/xss/messages"));
        await AssertShownAsTextAsync(page, Author, Text, LiveText);
        await page.GotoAsync(Session.Url("admin/audit"));
        await AssertShownAsTextAsync(page, Renamed); // the edit's entry quotes the new name
        await page.GotoAsync(Session.Url("admin/rooms/xss/edit"));
        await AssertShownAsTextAsync(page);
        Assert.Equal(Renamed, await page.Locator("[data-room-name]").InputValueAsync());

        Assert.Empty(problems);
        Session.AssertNoScriptErrors();
    }

    /// <summary>No payload became an element or ran, and each expected one is on the page as text.</summary>
    private static async Task AssertShownAsTextAsync(IPage page, params string[] payloads)
    {
        Assert.Equal(0, await page.Locator("[data-xss]").CountAsync());
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__xss"));
        var text = await page.EvaluateAsync<string>("() => document.body.textContent");
        foreach (var payload in payloads)
        {
            Assert.Contains(payload, text, StringComparison.Ordinal);
        }
    }

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync(Session.Url("admin/login"));
        await AdminSession.CreateAdministratorAsync(App, "root", Password);
        await Session.SubmitSignInAsync(page, "root", Password);
    }

    /// <summary>
    /// A page that records CSP violations, console errors and dialogs (each is a failure) in <see cref="problems"/>;
    /// its script errors go to the session's.
    /// </summary>
    private async Task<IPage> NewPageAsync()
    {
        var context = await Session.NewContextAsync();
        // Runs before the page's own scripts and outside its CSP: report every violation on the console.
        await context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', (e) =>
              console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
            """);
        var page = await Session.NewPageAsync(context);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Enqueue($"console: {message.Text}");
            }
        };
        page.Dialog += async (_, dialog) =>
        {
            problems.Enqueue($"dialog: {dialog.Message}");
            await dialog.DismissAsync();
        };
        return page;
    }
}
