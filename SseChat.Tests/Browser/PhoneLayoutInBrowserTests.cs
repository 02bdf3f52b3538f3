using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;
using Xunit.Abstractions;

using static Microsoft.Playwright.Assertions;

namespace SseChat.Tests.Browser;

/// <summary>
/// Every page on a 360 px phone, in English and Chinese, light and dark, before and after the visitor picks a name,
/// and signed in as an administrator: nothing wider than the screen, and every control reachable without scrolling
/// sideways (the navbar folds behind its menu button). Also the presence list folded to a count on a phone, and the
/// Send button on one line in Chinese at every width.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class PhoneLayoutInBrowserTests(ChromiumFixture chromium, ITestOutputHelper output) : BrowserAppTests(chromium)
{
    private const int PhoneWidth = 360;
    private const int PhoneHeight = 740;
    private const string AdminName = "root";
    private const string AdminPassword = "a long and private passphrase";

    // As long as a display name may be, with nowhere to break.
    private const string LongName = "Abcdefghijklmnopqrstuvwxyz012345";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await AdminSession.CreateAdministratorAsync(App, AdminName, AdminPassword);
        using var client = App.CreateChatClient();
        await client.SendAsync(BrowserSession.Room, "Ann", "Morning! Notes: https://example.org/a-rather-long-address-for-a-phone-screen");
        await client.SendAsync(BrowserSession.Room, LongName, "A name with nowhere to break.");
    }

    [Theory]
    [InlineData("en-US", ColorScheme.Light)]
    [InlineData("en-US", ColorScheme.Dark)]
    [InlineData("zh-CN", ColorScheme.Light)]
    [InlineData("zh-CN", ColorScheme.Dark)]
    public async Task Every_page_fits_a_360px_phone_with_every_control_in_reach(string locale, ColorScheme scheme)
    {
        var page = await Session.NewPageAsync(await NewPhoneContextAsync(locale, scheme));

        // A first visit: no name saved yet, so the name form shows under the composer.
        await Session.GoToRoomAsync(page);
        await Expect(page.Locator("#identity-form")).ToBeVisibleAsync();
        await AssertFitsAsync(page, "room page, first visit");
        await AssertOnScreenAsync(page.Locator("#identity-form button[type=submit]"));
        await AssertOnScreenAsync(page.Locator("#composer button[type=submit]"));
        await SaveScreenshotAsync(page, $"room-phone-first-visit-{locale[..2]}{(scheme == ColorScheme.Dark ? "-dark" : "")}");
        await AssertMenuInReachAsync(page, "room page");

        await page.ReloadAsync();
        await page.PickNameAsync(LongName);
        await AssertFitsAsync(page, "room page, name saved");
        await AssertOnScreenAsync(page.Locator("#identity-change"));
        await AssertOnScreenAsync(page.Locator("#composer button[type=submit]"));

        foreach (var path in new[] { "", "rooms/no-such-room", "admin/login" })
        {
            await page.GotoAsync(Session.Url(path));
            await AssertFitsAsync(page, $"/{path}");
            await AssertMenuInReachAsync(page, $"/{path}");
        }

        await Session.SubmitSignInAsync(page, AdminName, AdminPassword);
        await AssertFitsAsync(page, "/admin");
        foreach (var action in await page.Locator("#admin-rooms tr[data-slug] .btn").AllAsync())
        {
            await AssertWithinWidthAsync(page, action);
        }
        foreach (var path in new[] { "admin/rooms/new", "admin/rooms/general/edit", "admin/rooms/general/messages",
                     "admin/rooms/general/delete", "admin/audit", "admin/password" })
        {
            await page.GotoAsync(Session.Url(path));
            await AssertFitsAsync(page, $"/{path}");
            await AssertMenuInReachAsync(page, $"/{path}");
        }

        // The room page with an administrator's remove buttons.
        await Session.GoToRoomAsync(page);
        await Expect(page.Locator(".message-remove").First).ToBeVisibleAsync();
        await AssertFitsAsync(page, "room page, administrator");
        await AssertOnScreenAsync(page.Locator("#composer button[type=submit]"));
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_busy_rooms_presence_folds_to_a_count_on_a_phone_and_opens_by_keyboard()
    {
        var visitors = new List<SseSubscriber>();
        try
        {
            for (var i = 0; i < 13; i++)
            {
                visitors.Add(await SseSubscriber.ConnectAsync(App.BaseAddress, BrowserSession.Room,
                    visitor: new StreamVisitor($"client-{i}", i == 0 ? LongName : $"Visitor {i:00}"), includeEphemeral: true));
            }
            var page = await Session.NewPageAsync(await NewPhoneContextAsync("en-US", ColorScheme.Light));
            await Session.GoToRoomAsync(page);
            await page.PickNameAsync("Dee");
            await Expect(page.Locator("#presence-count")).ToHaveTextAsync("14");

            var names = page.Locator("#presence-list");
            await Expect(names).ToBeHiddenAsync();
            var folded = await page.Locator("#presence").BoundingBoxAsync();
            Assert.NotNull(folded);
            Assert.True(folded.Height <= 40, $"the folded presence takes {folded.Height} px");
            await AssertFitsAsync(page, "presence folded");

            await page.Locator("#presence summary").FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Expect(names).ToBeVisibleAsync();
            await Expect(names).ToContainTextAsync(LongName);
            var opened = await page.Locator("#presence").BoundingBoxAsync();
            Assert.NotNull(opened);
            Assert.True(opened.Height <= 140, $"the opened presence takes {opened.Height} px");
            await AssertFitsAsync(page, "presence opened, with a 32-character name");
            await AssertOnScreenAsync(page.Locator("#composer button[type=submit]"));

            // A desktop has the room for the names: the list starts open there.
            var desktop = await Session.OpenRoomAsync();
            await Expect(desktop.Locator("#presence-list")).ToBeVisibleAsync();
            await Expect(desktop.Locator("#presence-list")).ToContainTextAsync(LongName);
            Session.AssertNoScriptErrors();
        }
        finally
        {
            foreach (var visitor in visitors)
            {
                await visitor.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(576)]
    [InlineData(768)]
    [InlineData(1280)]
    public async Task Chinese_Send_button_stays_on_one_line(int width)
    {
        var context = await Session.NewContextAsync(new() { Locale = "zh-CN", ViewportSize = new() { Width = width, Height = 800 } });
        var page = await Session.OpenRoomAsync(context);
        var send = page.Locator("#composer button[type=submit]");
        await Expect(send).ToHaveTextAsync("发送");

        var lines = await send.EvaluateAsync<double>(
            "(button) => (button.clientHeight - parseFloat(getComputedStyle(button).paddingTop) - parseFloat(getComputedStyle(button).paddingBottom)) / parseFloat(getComputedStyle(button).lineHeight)");

        Assert.True(lines < 1.5, $"发送 takes {lines:0.0} lines at {width} px");
    }

    private Task<IBrowserContext> NewPhoneContextAsync(string locale, ColorScheme scheme) =>
        Session.NewContextAsync(new()
        {
            ViewportSize = new() { Width = PhoneWidth, Height = PhoneHeight },
            Locale = locale,
            ColorScheme = scheme,
            IsMobile = true,
            HasTouch = true,
        });

    private static async Task AssertFitsAsync(IPage page, string what)
    {
        var widths = await page.EvaluateAsync<int[]>(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var (scrollWidth, clientWidth) = (widths[0], widths[1]);
        Assert.True(scrollWidth <= clientWidth, $"{what} is {scrollWidth} px wide on a {clientWidth} px screen");
    }

    private static async Task AssertOnScreenAsync(ILocator control) =>
        await Expect(control).ToBeInViewportAsync(new() { Ratio = 1 });

    private static async Task AssertWithinWidthAsync(IPage page, ILocator control)
    {
        var box = await control.BoundingBoxAsync();
        Assert.NotNull(box);
        var width = await page.EvaluateAsync<int>("() => document.documentElement.clientWidth");
        Assert.True(box.X >= 0 && box.X + box.Width <= width,
            $"\"{await control.TextContentAsync()}\" spans {box.X}-{box.X + box.Width} px on a {width} px screen");
    }

    // On a phone the links and the language switcher sit behind the menu button: open it, and each is on screen.
    private static async Task AssertMenuInReachAsync(IPage page, string what)
    {
        var toggle = page.Locator("#navbar-toggle");
        await Expect(toggle).ToBeVisibleAsync();
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        foreach (var control in await page.Locator("#navbar-menu .nav-link, #language-switcher button").AllAsync())
        {
            await AssertWithinWidthAsync(page, control);
            await Expect(control).ToBeVisibleAsync();
        }
        var languages = await page.Locator("#language-switcher button").AllAsync();
        foreach (var language in languages)
        {
            var box = await language.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Height <= 40, $"a language button on {what} wraps ({box.Height} px high)");
        }
        await AssertFitsAsync(page, $"{what} with the menu open");
    }

    private async Task SaveScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path });
        output.WriteLine($"Screenshot: {path}");
    }
}
