using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;
using static SseChat.Tests.Browser.MessageListInBrowserTests;

namespace SseChat.Tests.Browser;

/// <summary>
/// The words the page scripts write (connection state, typing, new messages, the outbox, counters, day separators,
/// unread markers, the administrator's removal) in a real Chromium whose language is Chinese: they come from the
/// page's ScriptText block in the reader's language, never from English in the scripts; and the catalogue helper
/// itself (plurals, numbers, placeholders, missing keys) on English and Chinese pages.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class ScriptTextInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium)
{
    // ui-text.js, imported into the page as its scripts import it (one module instance), for what the page cannot be
    // made to show on demand.
    private const string UiText = "() => import('/js/chat/ui-text.js')";

    [Fact]
    public async Task Chinese_reader_sees_connection_state_presence_typing_and_new_messages_in_Chinese()
    {
        // One name per presence event, so that "and N more" shows with two readers.
        await using var app = new ChatApplication(new Dictionary<string, string?> { ["Chat:PresenceMaxNames"] = "1" });
        await using var session = new BrowserSession(Chromium.Browser, app);
        using var client = app.CreateChatClient();
        await SendManyAsync(client, 40);

        var page = await session.OpenRoomAsync(await ChineseContextAsync(session));
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-Hans");
        await Expect(page.Locator("#connection-status")).ToHaveTextAsync("已连接");
        await page.PickNameAsync("小明");
        var other = await session.OpenRoomAsync(await ChineseContextAsync(session));
        await other.PickNameAsync("Bob");
        await Expect(page.Locator("#presence-count")).ToHaveTextAsync("2");
        await Expect(page.Locator("#presence-more")).ToHaveTextAsync("另有 1 人");

        var typing = page.Locator("#typing");
        await client.PostTypingAsync(Room, "Ann");
        await Expect(typing).ToHaveTextAsync("Ann 正在输入…");
        await client.PostTypingAsync(Room, "Cid");
        await Expect(typing).ToHaveTextAsync("Ann 和 Cid 正在输入…");
        await client.PostTypingAsync(Room, "Dan");
        await client.PostTypingAsync(Room, "Eve");
        await Expect(typing).ToHaveTextAsync("Ann、Cid、Dan 和另外 1 人正在输入…");

        var followed = await client.SendAsync(Room, "Ann", "我到了");
        await Expect(Message(page, followed.Seq)).ToHaveCountAsync(1);
        await Expect(page.Locator("#announcer")).ToHaveTextAsync("来自 Ann 的 1 条新消息"); // Chinese has no "one" form
        await Expect(typing).ToHaveTextAsync("Cid、Dan 和 Eve 正在输入…"); // Ann's message ends her notice

        await page.EvaluateAsync("() => { document.getElementById('messages-pane').scrollTop = 150; }");
        await client.SendAsync(Room, "Bob", "一");
        var last = await client.SendAsync(Room, "Bob", "二");
        await Expect(Message(page, last.Seq)).ToHaveCountAsync(1);
        await Expect(page.Locator("#new-messages")).ToHaveTextAsync("2 条新消息");
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Chinese_reader_sees_days_as_today_yesterday_or_a_Chinese_date_and_times_in_Chinese()
    {
        var now = DateTime.UtcNow;
        var nowThere = TimeZoneInfo.ConvertTimeFromUtc(now, NewYork);
        var threeDaysAgo = nowThere.Date.AddDays(-3);
        var yesterday = nowThere.Date.AddDays(-1);
        using var client = App.CreateChatClient();
        var old = await client.SendAsync(Room, "Ann", "三天前");
        var late = await client.SendAsync(Room, "Bob", "昨天很晚");
        var current = await client.SendAsync(Room, "Ann", "现在");
        await BackdateAsync(App, NewYork,
            [(old.Seq, threeDaysAgo.AddHours(10)), (late.Seq, yesterday.AddHours(23).AddMinutes(30)), (current.Seq, nowThere)]);

        // The page's today is the test's: a run across New York midnight would otherwise label the days differently.
        var context = await Session.NewContextAsync(new() { Locale = "zh-CN", TimezoneId = "America/New_York" });
        await context.Clock.SetFixedTimeAsync(now);
        var page = await Session.OpenRoomAsync(context);

        var groups = await page.EvaluateAsync<string[]>(GroupsScript);
        Assert.Equal(6, groups.Length);
        Assert.Matches($"^day {ChineseDate(threeDaysAgo)}星期[一二三四五六日]$", groups[0]);
        Assert.Equal([$"{old.Seq}", "day 昨天", $"{late.Seq}", "day 今天", $"{current.Seq}"], groups[1..6]);

        var time = Message(page, late.Seq).Locator("time");
        await Expect(time).ToHaveTextAsync("23:30");
        await Expect(time).ToHaveAttributeAsync("title", new Regex($"^{ChineseDate(yesterday)}星期.*23:30:00"));
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Chinese_writer_sees_the_name_prompt_outbox_retry_counter_and_the_servers_reasons_in_Chinese()
    {
        var page = await Session.NewPageAsync(await ChineseContextAsync(Session));
        var release = new TaskCompletionSource();
        var attempts = 0;
        await page.RouteAsync(Session.PostUrl(), async route =>
        {
            if (Interlocked.Increment(ref attempts) > 1)
            {
                await route.ContinueAsync();
                return;
            }
            await release.Task;
            await route.AbortAsync("connectionreset");
        });
        await Session.GoToRoomAsync(page);
        var textBox = page.Locator("#composer textarea[name=text]");
        var error = page.Locator("#composer-error");

        await textBox.FillAsync("大家好");
        await textBox.PressAsync("Enter");
        await Expect(page.Locator("#identity-error")).ToHaveTextAsync("发送前请先设置名字。");
        await page.PickNameAsync("小明");

        await textBox.PressAsync("Enter");
        var outgoing = page.Locator("#outbox > li");
        await Expect(outgoing.Locator(".message-status")).ToHaveTextAsync("正在发送…");
        release.SetResult();
        await Expect(outgoing.Locator(".message-status")).ToContainTextAsync("未发送。无法连接到服务器。");
        await Expect(error).ToHaveTextAsync("你的消息没有发出：无法连接到服务器。消息已保留；按“重试”（或“发送”）再试一次。");
        var retried = await page.RunAndWaitForResponseAsync(
            () => outgoing.GetByRole(AriaRole.Button, new() { Name = "重试" }).ClickAsync(), Session.IsPost());
        Assert.Equal(201, retried.Status);
        await Expect(outgoing).ToHaveCountAsync(0);
        await Expect(page.Locator("#messages .message-text")).ToHaveTextAsync(["大家好"]);

        var counter = page.Locator("#composer-counter");
        await textBox.FillAsync(new string('字', MessageLimits.TextMaxLength - 400));
        await Expect(counter).ToHaveTextAsync("还剩 400 个字符");
        await textBox.FillAsync(new string('字', MessageLimits.TextMaxLength - 1));
        await Expect(counter).ToHaveTextAsync("还剩 1 个字符");

        // The server's reason, which it wrote in the page's language, is shown as it came.
        await using (var db = App.CreateDbContext())
        {
            await db.Rooms.Where(r => r.Slug == Room).ExecuteUpdateAsync(set => set.SetProperty(r => r.IsArchived, true));
        }
        var refused = await page.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), Session.IsPost());
        Assert.Equal(409, refused.Status);
        await Expect(error).ToHaveTextAsync("这个房间已归档。历史消息仍可阅读，但不再接收新消息。");
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Chinese_administrator_is_asked_and_told_about_a_removal_in_Chinese()
    {
        using var client = App.CreateChatClient();
        var message = await client.SendAsync(Room, "Ann", "不该说的话");
        using var admin = await AdminSession.SignInAsync(App);
        var context = await ChineseContextAsync(Session);
        await context.AddCookiesAsync(admin.Client.Cookies.GetAllCookies().Select(cookie =>
            new Cookie { Name = cookie.Name, Value = cookie.Value, Url = App.BaseAddress.ToString() }));
        var page = await Session.NewPageAsync(context);
        var dialogs = new ConcurrentQueue<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Enqueue(dialog.Message);
            await dialog.AcceptAsync();
        };
        var removeUrl = $"**/{message.Seq.ToString(CultureInfo.InvariantCulture)}/remove";
        await page.RouteAsync(removeUrl, route => route.AbortAsync("connectionreset"));
        await Session.GoToRoomAsync(page);

        var remove = Message(page, message.Seq).Locator(".message-remove");
        await remove.ClickAsync();
        await Expect(page.Locator("#composer-error")).ToHaveTextAsync("消息没有移除：无法连接到服务器。");
        Assert.Equal(["要为所有人移除这条消息吗？"], dialogs);
        await Expect(remove).ToBeEnabledAsync();

        await page.UnrouteAsync(removeUrl);
        await remove.ClickAsync();
        await Expect(Message(page, message.Seq)).ToHaveCountAsync(0);
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Chinese_room_list_marks_unread_messages_in_Chinese()
    {
        var page = await Session.OpenRoomAsync(await ChineseContextAsync(Session));
        await page.GotoAsync(App.BaseAddress.ToString());
        using var client = App.CreateChatClient();
        for (var i = 1; i <= 3; i++)
        {
            await client.SendAsync(Room, "Bob", $"未读 {i}");
        }

        await page.ReloadAsync();
        await Expect(page.Locator("#rooms")).ToHaveAttributeAsync("data-unread", "shown");
        await Expect(page.Locator($"[data-room='{Room}'] .room-unread")).ToHaveTextAsync("3 条未读消息");
        Session.AssertNoScriptErrors();
    }

    [Theory]
    [InlineData("en-US", "Connecting…", "Live", "Reconnecting…", "Offline")]
    [InlineData("zh-CN", "正在连接…", "已连接", "正在重新连接…", "离线")]
    public async Task Connection_states_read_in_the_page_language(string locale, params string[] expected)
    {
        var page = await Session.OpenRoomAsync(await Session.NewContextAsync(new() { Locale = locale }));
        var labels = await page.EvaluateAsync<string[]>("""
            async () => {
              const { ConnectionStatus } = await import('/js/chat/connection-status.js');
              const badge = document.createElement('span');
              const status = new ConnectionStatus(badge);
              return ['connecting', 'live', 'reconnecting', 'offline'].map((state) => {
                status.show(state);
                return badge.textContent;
              });
            }
            """);
        Assert.Equal(expected, labels);
        Session.AssertNoScriptErrors();
    }

    [Theory]
    [InlineData("en-US", "1 new message", "1,234 new messages", "1 character left", "Ann, Bob and Cid are typing…")]
    [InlineData("zh-CN", "1 条新消息", "1,234 条新消息", "还剩 1 个字符", "Ann、Bob 和 Cid 正在输入…")]
    public async Task Texts_follow_the_page_languages_plural_rules_and_number_format(
        string locale, string one, string many, string characterLeft, string typists)
    {
        var page = await Session.OpenRoomAsync(await Session.NewContextAsync(new() { Locale = locale }));
        var texts = await page.EvaluateAsync<string[]>($$"""
            async () => {
              const { text, plural } = await ({{UiText}})();
              return [
                plural('newMessages', 1),
                plural('newMessages', 1234),
                plural('composer.charactersLeft', 1),
                text('typing.several', { names: ['Ann', 'Bob'].join(text('list.separator')), last: 'Cid' }),
              ];
            }
            """);
        Assert.Equal([one, many, characterLeft, typists], texts);
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_missing_key_or_value_shows_itself_and_says_so_on_the_console_never_falling_back_to_English()
    {
        // A page of its own, outside the session's error collection: these errors are the point here.
        var page = await (await Session.NewContextAsync()).NewPageAsync();
        var errors = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue(message.Text);
            }
        };
        await Session.GoToRoomAsync(page);

        var shown = await page.EvaluateAsync<string[]>($$"""
            async () => {
              const { text } = await ({{UiText}})();
              return [text('connection.nonexistent'), text('typing.single', {})];
            }
            """);
        Assert.Equal(["connection.nonexistent", "{name} is typing…"], shown);
        Assert.Contains("ui-text: no text for key \"connection.nonexistent\"", errors);
        Assert.Contains("ui-text: text \"typing.single\" needs a value for {name}", errors);
    }

    private static Task<IBrowserContext> ChineseContextAsync(BrowserSession session) =>
        session.NewContextAsync(new() { Locale = "zh-CN" });

    // How Chinese writes a date: 2026年11月22日 (month and day without leading zeros).
    private static string ChineseDate(DateTime date) =>
        string.Create(CultureInfo.InvariantCulture, $"{date.Year}年{date.Month}月{date.Day}日");
}
