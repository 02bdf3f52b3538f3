using Microsoft.Playwright;

namespace SseChat.Tests.Browser;

/// <summary>
/// One headless Chromium (Debian's, at /usr/bin/chromium) shared by all browser tests (<see cref="SharedChromium"/>),
/// driven by the Playwright driver that the Microsoft.Playwright package copies into the build output
/// (.playwright/node and .playwright/package). Nothing is downloaded: <c>playwright install</c> is never needed. Each
/// test opens its own browser contexts on it.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? playwright;
    private IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("Chromium has not been started.");

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Timeout = 30_000,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }
        playwright?.Dispose();
    }
}
