using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace SseChat.Tests.Browser;

/// <summary>
/// A Chinese-speaking reader's browser (locale zh-CN) gets the Chinese interface, the navbar switcher flips it to
/// English and back (and the choice outlives a reload), and the server's validation messages follow the choice.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class LanguageInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium)
{
    [Fact]
    public async Task A_zh_CN_browser_sees_Chinese_and_the_switcher_flips_to_English_and_back()
    {
        var context = await Session.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN" });
        var page = await Session.OpenRoomAsync(context);

        await ExpectChineseAsync(page);

        await page.Locator("#language-switcher button[value=en]").ClickAsync();
        await ExpectEnglishAsync(page);
        await Expect(page).ToHaveURLAsync(Session.RoomUrl().ToString());
        await page.ReloadAsync();
        await ExpectEnglishAsync(page);

        await page.Locator("#language-switcher button[value=zh-Hans]").ClickAsync();
        await ExpectChineseAsync(page);
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Validation_errors_from_the_server_arrive_in_the_chosen_language()
    {
        var context = await Session.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN" });
        var page = await Session.OpenRoomAsync(context);
        await page.PickNameAsync("安娜");
        var textBox = page.Locator("#composer textarea[name=text]");
        var error = page.Locator("#composer-error");

        // A bell character pasted in: the browser lets it through, the server refuses it and nothing is lost.
        await textBox.FillAsync("你好\u0007");
        await page.Locator("#composer button[type=submit]").ClickAsync();
        await Expect(error).ToHaveTextAsync("消息包含不允许的控制字符（U+0007）。");
        await Expect(textBox).ToHaveValueAsync("你好\u0007");

        await page.Locator("#language-switcher button[value=en]").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        await textBox.FillAsync("hello\u0007");
        await page.Locator("#composer button[type=submit]").ClickAsync();
        await Expect(error).ToHaveTextAsync("The message contains a control character (U+0007), which is not allowed.");
        Assert.Empty(await BrowserSession.ShownSeqsAsync(page));
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Chinese_chosen_on_an_English_browser_asks_for_the_missing_message_in_Chinese()
    {
        var page = await Session.OpenRoomAsync(await Session.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" }));
        await page.Locator("#language-switcher button[value=zh-Hans]").ClickAsync();
        await ExpectChineseAsync(page);
        await page.PickNameAsync("安娜");
        var textBox = page.Locator("#composer textarea[name=text]");

        await textBox.FillAsync("   ");
        await page.Locator("#composer button[type=submit]").ClickAsync();

        // Not the browser's own "Please fill out this field.": the page's language.
        Assert.Equal("请输入消息内容。", await textBox.EvaluateAsync<string>("(box) => box.validationMessage"));
        await textBox.FillAsync("你好");
        await page.Locator("#composer button[type=submit]").ClickAsync();
        await Expect(page.Locator("#messages .message-text")).ToHaveTextAsync("你好");
        Session.AssertNoScriptErrors();
    }

    private sealed record Interface(string Lang, string Rooms, string Send, string WriteMessage);

    private static readonly Interface Chinese = new("zh-Hans", "房间", "发送", "输入消息");
    private static readonly Interface English = new("en", "Rooms", "Send", "Write a message");

    private static Task ExpectChineseAsync(IPage page) => ExpectAsync(page, Chinese);

    private static Task ExpectEnglishAsync(IPage page) => ExpectAsync(page, English);

    private static async Task ExpectAsync(IPage page, Interface shown)
    {
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", shown.Lang);
        await Expect(page.Locator("nav .nav-link").First).ToHaveTextAsync(shown.Rooms);
        await Expect(page.Locator("#composer button[type=submit]")).ToHaveTextAsync(shown.Send);
        await Expect(page.Locator("#composer textarea[name=text]")).ToHaveAttributeAsync("placeholder", shown.WriteMessage);
        await Expect(page.Locator($"#language-switcher button[value={shown.Lang}]")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
    }
}
