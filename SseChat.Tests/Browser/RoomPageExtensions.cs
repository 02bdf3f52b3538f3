using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace SseChat.Tests.Browser;

/// <summary>What a visitor does on the room page, as steps the browser tests share.</summary>
internal static class RoomPageExtensions
{
    /// <summary>Picks (or changes) the display name through the page's name form, as a visitor would.</summary>
    public static async Task PickNameAsync(this IPage page, string name)
    {
        var input = page.Locator("#identity-input");
        if (!await input.IsVisibleAsync())
        {
            await page.Locator("#identity-change").ClickAsync();
        }
        await input.FillAsync(name);
        await input.PressAsync("Enter");
        await Expect(page.Locator("#identity-name")).ToHaveTextAsync(name.Trim());
    }
}
