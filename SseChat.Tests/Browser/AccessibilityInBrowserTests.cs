using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace SseChat.Tests.Browser;

/// <summary>
/// axe-core (Deque.AxeCore.Playwright) on every page, in the light and the dark color scheme, in English and in
/// Chinese, as Chromium renders it: no serious or critical violation of any rule axe runs by default (WCAG 2.1 A and AA,
/// contrast among them, and best practices). One app with messages, an administrator and an audit trail serves every
/// case; each scheme and language keeps one anonymous and one signed-in browser context (<see cref="AccessibleSite"/>).
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class AccessibilityInBrowserTests(ChromiumFixture chromium, AccessibleSite site) : IClassFixture<AccessibleSite>
{
    private static readonly string[] Blocking = ["serious", "critical"];

    public static TheoryData<string, ColorScheme, string> Cases()
    {
        var cases = new TheoryData<string, ColorScheme, string>();
        foreach (var page in AccessibleSite.Pages.Keys)
        {
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                foreach (var locale in new[] { "en-US", "zh-CN" })
                {
                    cases.Add(page, scheme, locale);
                }
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Page_has_no_serious_accessibility_violation(string name, ColorScheme scheme, string locale)
    {
        var page = await site.OpenAsync(chromium.Browser, name, scheme, locale);

        var result = await page.RunAxe();

        var blocking = result.Violations.Where(violation => Blocking.Contains(violation.Impact)).ToList();
        Assert.True(blocking.Count == 0, $"{name} ({scheme}, {locale}):\n{Describe(blocking)}");
    }

    private static string Describe(IEnumerable<AxeResultItem> violations) => string.Join('\n', violations.Select(violation =>
        $"{violation.Impact} {violation.Id}: {violation.Help}\n"
        + string.Join('\n', violation.Nodes.Select(node => $"  {node.Html}\n    {string.Join("; ", node.Any.Concat(node.All).Concat(node.None).Select(check => check.Message))}"))));
}

/// <summary>
/// The app the accessibility cases share: the room <c>general</c> with messages from two days, a second room, an
/// administrator who signed in (so the audit log has entries), and one page per scheme, language and identity that
/// each case navigates anew.
/// </summary>
public sealed class AccessibleSite : IAsyncLifetime
{
    private const string AdminName = "root";
    private const string AdminPassword = "a long and private passphrase";

    /// <summary>Each page by name: its path, and whether it is the admin area's.</summary>
    public static readonly IReadOnlyDictionary<string, (string Path, bool Admin)> Pages = new Dictionary<string, (string, bool)>
    {
        ["rooms"] = ("", false),
        ["room"] = ($"rooms/{BrowserSession.Room}", false),
        ["error"] = ("rooms/no-such-room", false),
        ["admin-sign-in"] = ("admin/login", false),
        ["admin-rooms"] = ("admin", true),
        ["admin-moderation"] = ($"admin/rooms/{BrowserSession.Room}/messages", true),
        ["admin-audit"] = ("admin/audit", true),
    };

    private readonly ChatApplication app = new();
    private readonly Dictionary<(ColorScheme, string, bool), IPage> pages = [];
    private BrowserSession? session;

    public async Task InitializeAsync()
    {
        await AdminSession.CreateAdministratorAsync(app, AdminName, AdminPassword);
        await app.AddRoomAsync("random");
        using var client = app.CreateChatClient();
        await client.SendAsync(BrowserSession.Room, "Ann", "Morning all! The notes are at https://example.org/notes");
        await client.SendAsync(BrowserSession.Room, "Bob", "Looks good from here.");
        await client.SendAsync(BrowserSession.Room, "Ann", "Thursday works.\nI'll update the invite.");
    }

    /// <summary>The named page in a tab of its scheme, language and identity, loaded and settled.</summary>
    public async Task<IPage> OpenAsync(IBrowser browser, string name, ColorScheme scheme, string locale)
    {
        session ??= new BrowserSession(browser, app);
        var (path, admin) = Pages[name];
        if (!pages.TryGetValue((scheme, locale, admin), out var page))
        {
            var context = await session.NewContextAsync(new() { ColorScheme = scheme, Locale = locale });
            page = await session.NewPageAsync(context);
            if (admin)
            {
                await page.GotoAsync(session.Url("admin/login"));
                await session.SubmitSignInAsync(page, AdminName, AdminPassword);
            }
            pages[(scheme, locale, admin)] = page;
        }

        await page.GotoAsync(session.Url(path));
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", locale == "zh-CN" ? "zh-Hans" : "en");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", scheme == ColorScheme.Dark ? "dark" : "light");
        if (name == "room")
        {
            // Checked as a reader sees it: live, the messages in their local time.
            await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
            await Expect(page.Locator("#messages > li.message")).ToHaveCountAsync(3);
        }
        return page;
    }

    public async Task DisposeAsync()
    {
        if (session is not null)
        {
            await session.DisposeAsync();
        }
        await app.DisposeAsync();
    }
}
