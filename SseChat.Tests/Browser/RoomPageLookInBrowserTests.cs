using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;
using Xunit.Abstractions;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;

namespace SseChat.Tests.Browser;

/// <summary>
/// The room page on a desktop, a 360 px phone, and in dark mode, in a real Chromium against the real app: nothing
/// wider than the screen, the composer usable, the OS's color scheme followed (also when it changes), readable
/// contrast. Each case saves a screenshot into the test output folder (docs/screenshots holds current copies).
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class RoomPageLookInBrowserTests(ChromiumFixture chromium, ITestOutputHelper output)
    : BrowserAppTests(chromium)
{
    // The WCAG contrast ratio of an element's text against the page, alpha-blended like the browser paints it.
    private const string ContrastScript = """
        (element) => {
          const parse = (color) => color.match(/[\d.]+/g).map(Number);
          const [br, bg, bb] = parse(getComputedStyle(document.body).backgroundColor);
          const [r, g, b, a = 1] = parse(getComputedStyle(element).color);
          const blend = (fore, back) => fore * a + back * (1 - a);
          const luminance = (rgb) => rgb.map((v) => v / 255)
            .map((v) => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
          const text = luminance([blend(r, br), blend(g, bg), blend(b, bb)]);
          const page = luminance([br, bg, bb]);
          return (Math.max(text, page) + 0.05) / (Math.min(text, page) + 0.05);
        }
        """;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var client = App.CreateChatClient();
        var yesterday = await client.SendAsync(Room, "Ann", "Morning all! The deploy notes are at https://example.org/deploy-notes");
        await client.SendAsync(Room, "Ann", "Ping me if anything looks off.");
        await client.SendAsync(Room, "Bob", "Looks good from here.");
        await client.SendAsync(Room, "Cid", "Can we move the retro to Thursday? A very-long-word-that-must-wrap-on-a-narrow-phone-screen-without-scrolling-sideways");
        await client.SendAsync(Room, "Bob", "Thursday works.\nI'll update the invite.");
        await using var db = App.CreateDbContext();
        await db.RoomEvents.Where(e => e.Seq <= yesterday.Seq + 1)
            .ExecuteUpdateAsync(set => set.SetProperty(e => e.CreatedAt, e => e.CreatedAt.AddDays(-1)));
    }

    [Theory]
    [InlineData("desktop", 1280, 800, ColorScheme.Light)]
    [InlineData("phone", 360, 740, ColorScheme.Light)]
    [InlineData("dark", 1280, 800, ColorScheme.Dark)]
    public async Task Room_page_fits_the_screen_and_follows_the_color_scheme(string name, int width, int height, ColorScheme scheme)
    {
        var context = await Session.NewContextAsync(new()
        {
            ViewportSize = new() { Width = width, Height = height },
            ColorScheme = scheme,
            Locale = "en-US",
            IsMobile = width < 576,
            HasTouch = width < 576,
        });
        var page = await Session.OpenRoomAsync(context);
        await page.PickNameAsync("Dee");
        await Expect(page.Locator("#presence-list")).ToContainTextAsync("Dee");
        var html = page.Locator("html");
        var theme = scheme == ColorScheme.Dark ? "dark" : "light";
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", theme);

        // Nothing wider than the screen; the composer whole and usable.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            "the page scrolls sideways");
        var textBox = await page.Locator("#composer textarea[name=text]").BoundingBoxAsync();
        var send = await page.Locator("#composer button[type=submit]").BoundingBoxAsync();
        var changeName = await page.Locator("#identity-change").BoundingBoxAsync();
        Assert.NotNull(textBox);
        Assert.NotNull(send);
        Assert.NotNull(changeName);
        Assert.True(textBox.Width >= Math.Min(200, width / 2), $"the message box is only {textBox.Width} px wide");
        Assert.InRange(send.X + send.Width, 0, width);
        Assert.InRange(send.Y + send.Height, 0, height);
        Assert.InRange(changeName.X + changeName.Width, 0, width);
        await Expect(page.Locator("#connection-status")).ToBeInViewportAsync();

        // Readable: body text, secondary text and links at least 4.5:1 against the page.
        foreach (var selector in new[] { ".message-text", ".message-time", ".day-separator", ".message-text a", "#room-topic" })
        {
            var ratio = await page.Locator(selector).First.EvaluateAsync<double>(ContrastScript);
            Assert.True(ratio >= 4.5, $"{selector} has a contrast of {ratio:0.00} in {name}");
        }

        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", $"room-{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path });
        output.WriteLine($"Screenshot: {path}");

        // The OS switches: the page follows without a reload.
        var other = scheme == ColorScheme.Dark ? ColorScheme.Light : ColorScheme.Dark;
        await page.EmulateMediaAsync(new() { ColorScheme = other });
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", other == ColorScheme.Dark ? "dark" : "light");
        Session.AssertNoScriptErrors();
    }
}
