using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

using static Microsoft.Playwright.Assertions;
using static SseChat.Tests.Browser.BrowserSession;

namespace SseChat.Tests.Browser;

/// <summary>
/// Writing and sending in a real Chromium against the real app: the keys, the message shown as pending until
/// the server confirms it (and never twice), failed sends retried without doubling, the server's reasons shown
/// with the draft kept, drafts surviving a reload, and the counter near the limit. Posts are held, cut or
/// answered differently with Playwright's routing where a test needs a network that misbehaves.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class ComposerInBrowserTests(ChromiumFixture chromium) : BrowserAppTests(chromium)
{
    /// <summary>The app's post rate limit at one post a minute, so that a second post is refused with 429.</summary>
    private static readonly Dictionary<string, string?> OnePostAMinute = new()
    {
        ["RateLimits:PostPermitLimit"] = "1",
        ["RateLimits:PostWindow"] = "00:01:00",
    };

    [Fact]
    public async Task Enter_sends_Shift_Enter_breaks_the_line_and_Enter_while_an_IME_composes_does_neither()
    {
        var page = await Session.OpenRoomAsync();
        var posts = new ConcurrentQueue<string?>();
        await page.PickNameAsync("Ann");
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url.EndsWith("/messages", StringComparison.Ordinal))
            {
                posts.Enqueue(request.PostData);
            }
        };
        var textBox = page.Locator("#composer textarea[name=text]");
        await textBox.PressSequentiallyAsync("line one");
        await textBox.PressAsync("Shift+Enter");
        await textBox.PressSequentiallyAsync("line two");
        await Expect(textBox).ToHaveValueAsync("line one\nline two");

        // The composer prevents Enter's default exactly when it sends; an IME's Enter must not be prevented.
        const string pressEnter = "(box, init) => !box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true, ...init }))";
        await textBox.DispatchEventAsync("compositionstart");
        Assert.False(await textBox.EvaluateAsync<bool>(pressEnter, new { keyCode = 13 }), "Enter during a composition sent");
        await textBox.DispatchEventAsync("compositionend");
        Assert.False(await textBox.EvaluateAsync<bool>(pressEnter, new { isComposing = true }), "Enter with isComposing sent");
        Assert.False(await textBox.EvaluateAsync<bool>(pressEnter, new { keyCode = 229 }), "Enter with keyCode 229 sent");
        // A send puts its item in the outbox before it returns to the event loop, so this count, taken now, is
        // certain; no request yet could merely mean that one is still on its way.
        Assert.Equal(0, await page.Locator("#outbox li").CountAsync());
        Assert.Empty(posts);

        var response = await page.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), Session.IsPost());
        Assert.Equal(201, response.Status);
        Assert.Equal("line one\nline two", (await ReadMessageAsync(response)).Text);
        await Expect(textBox).ToHaveValueAsync("");
        Assert.Single(posts);
        Session.AssertNoScriptErrors();
    }

    /// <summary>
    /// Chromium's own input method path (DevTools' Input.imeSetComposition and Input.insertText), not synthetic
    /// events: the composition shows pinyin in the box, Enter while it is open must neither send nor confirm anything
    /// for the composer, and the committed Chinese is sent exactly as typed.
    /// </summary>
    [Fact]
    public async Task Chinese_typed_through_an_input_method_is_sent_exactly_as_committed_and_never_mid_composition()
    {
        var page = await Session.OpenRoomAsync();
        await page.PickNameAsync("小明");
        var posts = new ConcurrentQueue<string?>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url.EndsWith("/messages", StringComparison.Ordinal))
            {
                posts.Enqueue(request.PostData);
            }
        };
        var textBox = page.Locator("#composer textarea[name=text]");
        await textBox.FocusAsync();
        var devTools = await page.Context.NewCDPSessionAsync(page);

        await textBox.EvaluateAsync("""
            (box) => {
              window.__enters = [];
              box.addEventListener('keydown', (event) => {
                if (event.key === 'Enter') {
                  window.__enters.push(event.isComposing);
                }
              });
            }
            """);

        await devTools.SendAsync("Input.imeSetComposition", new() { ["text"] = "ni hao", ["selectionStart"] = 6, ["selectionEnd"] = 6 });
        await Expect(textBox).ToHaveValueAsync("ni hao");
        // The Enter an input method passes on while its candidate list is open (it inserts no character itself).
        await devTools.SendAsync("Input.dispatchKeyEvent", new() { ["type"] = "rawKeyDown", ["key"] = "Enter", ["code"] = "Enter", ["windowsVirtualKeyCode"] = 13 });
        await devTools.SendAsync("Input.dispatchKeyEvent", new() { ["type"] = "keyUp", ["key"] = "Enter", ["code"] = "Enter", ["windowsVirtualKeyCode"] = 13 });
        var enters = await page.EvaluateAsync<bool[]>("() => window.__enters");
        Assert.Equal([true], enters); // Chromium itself says the composition was open
        // Taken after the keydown ran: a send would already have put its item in the outbox.
        Assert.Equal(0, await page.Locator("#outbox li").CountAsync());
        await devTools.SendAsync("Input.insertText", new() { ["text"] = "你好，世界！" });
        await Expect(textBox).ToHaveValueAsync("你好，世界！");
        Assert.Empty(posts);

        var response = await page.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), Session.IsPost());
        Assert.Equal(201, response.Status);
        Assert.Equal("你好，世界！", (await ReadMessageAsync(response)).Text);
        await Expect(Message(page, (await ReadMessageAsync(response)).Seq).Locator(".message-text")).ToHaveTextAsync("你好，世界！");
        Assert.Single(posts);
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Sent_message_shows_as_pending_until_confirmed_and_never_twice()
    {
        var page = await Session.NewPageAsync();
        var toServer = new TaskCompletionSource();
        var toPage = new TaskCompletionSource();
        var posts = 0;
        await page.RouteAsync(Session.PostUrl(), async route =>
        {
            Interlocked.Increment(ref posts);
            await toServer.Task;
            var reply = await route.FetchAsync(); // stored and streamed now; the page hears of it from the stream first
            await toPage.Task;
            await route.FulfillAsync(new() { Response = reply });
        });
        await Session.GoToRoomAsync(page);
        await page.PickNameAsync("Ann");
        var textBox = page.Locator("#composer textarea[name=text]");
        await textBox.FillAsync("Hello, pending");
        await textBox.PressAsync("Enter");

        var pending = page.Locator("#outbox > li.message-pending");
        await Expect(pending).ToBeVisibleAsync();
        await Expect(pending.Locator(".message-text")).ToHaveTextAsync("Hello, pending");
        await Expect(pending.Locator(".message-status")).ToHaveTextAsync("Sending…");
        await Expect(textBox).ToHaveValueAsync(""); // out of the box at once, the box free for the next one
        await Expect(textBox).ToBeEditableAsync();
        await textBox.DispatchEventAsync("keydown", new { key = "Enter" }); // no second submit
        Assert.Equal(1, Volatile.Read(ref posts));

        // Stored and streamed, the reply still on its way: shown once, confirmed, the greyed copy out of sight.
        toServer.SetResult();
        var confirmed = page.Locator("#messages > li.message", new() { HasText = "Hello, pending" });
        await Expect(confirmed).ToHaveCountAsync(1);
        await Expect(pending).ToBeHiddenAsync();

        toPage.SetResult();
        await Expect(page.Locator("#outbox > li")).ToHaveCountAsync(0);
        await Expect(textBox).ToHaveValueAsync("");
        await Expect(textBox).ToBeEditableAsync();

        using var client = App.CreateChatClient();
        var later = await client.SendAsync(Room, "Bob", "later");
        await Expect(Message(page, later.Seq)).ToHaveCountAsync(1);
        await Expect(confirmed).ToHaveCountAsync(1);
        Assert.Equal(1, Volatile.Read(ref posts));
        Session.AssertNoScriptErrors();
    }

    /// <summary>
    /// Before the server: the connection fails before the post arrives. After the server: it is stored, but the
    /// reply is lost (what a timeout looks like). Either way the retry carries the same clientMessageId, so the
    /// room ends up with the message exactly once.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Failed_send_is_kept_and_its_retry_stores_it_exactly_once(bool reachedServer)
    {
        var page = await Session.NewPageAsync();
        var clientMessageIds = new ConcurrentQueue<string>();
        await page.RouteAsync(Session.PostUrl(), async route =>
        {
            clientMessageIds.Enqueue(QueryHelpers.ParseQuery(route.Request.PostData)["clientMessageId"].ToString());
            if (clientMessageIds.Count > 1)
            {
                await route.ContinueAsync();
                return;
            }
            if (reachedServer)
            {
                await route.FetchAsync();
            }
            await route.AbortAsync("connectionreset");
        });
        await Session.GoToRoomAsync(page);
        await page.PickNameAsync("Ann");
        var textBox = page.Locator("#composer textarea[name=text]");
        const string text = "Worth sending once";
        await textBox.FillAsync(text);
        await textBox.PressAsync("Enter");

        var failed = page.Locator("#outbox > li.message-failed");
        await Expect(failed).ToBeVisibleAsync();
        await Expect(failed.Locator(".message-text")).ToHaveTextAsync(text);
        await Expect(failed.Locator(".message-status")).ToContainTextAsync("Not sent.");
        await Expect(page.Locator("#composer-error")).ToContainTextAsync("was not sent");
        await Expect(textBox).ToHaveValueAsync(""); // kept in the outbox, not in the box
        await Expect(textBox).ToBeEditableAsync();

        var retry = await page.RunAndWaitForResponseAsync(
            () => failed.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync(), Session.IsPost());
        Assert.Equal(reachedServer ? 200 : 201, retry.Status);
        var message = await ReadMessageAsync(retry);
        await Expect(page.Locator("#outbox > li")).ToHaveCountAsync(0);
        await Expect(Message(page, message.Seq)).ToHaveCountAsync(1);
        await Expect(page.Locator("#messages > li.message", new() { HasText = text })).ToHaveCountAsync(1);
        await Expect(textBox).ToHaveValueAsync("");
        await Expect(page.Locator("#composer-error")).ToBeHiddenAsync();

        Assert.Equal(2, clientMessageIds.Count);
        Assert.Single(clientMessageIds.Distinct());
        using var client = App.CreateChatClient();
        Assert.Single(await client.GetWholeHistoryAsync(Room), stored => stored.Text == text);
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Refused_message_stays_in_the_box_with_the_servers_reason()
    {
        var page = await Session.OpenRoomAsync();
        var author = page.Locator("#composer input[name=author]");
        var textBox = page.Locator("#composer textarea[name=text]");
        var error = page.Locator("#composer-error");

        // Invalid (the name check of the page bypassed, as an old or tampered page might): the server's message.
        await page.PickNameAsync("Ann");
        await author.EvaluateAsync("(input, name) => { input.removeAttribute('maxlength'); input.value = name; }",
            new string('A', MessageLimits.AuthorMaxLength + 1));
        await textBox.FillAsync("Said with too long a name");
        var invalid = await page.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), Session.IsPost());
        Assert.Equal(400, invalid.Status);
        var problem = System.Text.Json.JsonDocument.Parse(await invalid.TextAsync());
        var reason = problem.RootElement.GetProperty("errors").GetProperty("author")[0].GetString()!;
        await Expect(error).ToHaveTextAsync(reason);
        await Expect(textBox).ToHaveValueAsync("Said with too long a name");
        await Expect(page.Locator("#outbox > li")).ToHaveCountAsync(0);

        // Archived after the page was rendered: 409, and the text is still there.
        await page.PickNameAsync("Ann Again");
        await using (var db = App.CreateDbContext())
        {
            await db.Rooms.Where(r => r.Slug == Room).ExecuteUpdateAsync(set => set.SetProperty(r => r.IsArchived, true));
        }
        var archived = await page.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), Session.IsPost());
        Assert.Equal(409, archived.Status);
        await Expect(error).ToHaveTextAsync("This room is archived. Its history stays readable, but it takes no new messages.");
        await Expect(textBox).ToHaveValueAsync("Said with too long a name");
        await Expect(page.Locator("#outbox > li")).ToHaveCountAsync(0);
        using var client = App.CreateChatClient();
        Assert.Empty(await client.GetWholeHistoryAsync(Room));
        Session.AssertNoScriptErrors();
    }

    /// <summary>The app's own post rate limit (one post a minute here) answers 429 with Retry-After.</summary>
    [Fact]
    public async Task Too_many_messages_ask_the_writer_to_wait_as_long_as_Retry_After_says()
    {
        await using var limited = new ChatApplication(OnePostAMinute);
        await using var limitedSession = new BrowserSession(Chromium.Browser, limited);
        var page = await limitedSession.OpenRoomAsync();
        await page.PickNameAsync("Ann");
        var textBox = page.Locator("#composer textarea[name=text]");
        await textBox.FillAsync("First words");
        Assert.Equal(201, (await page.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), limitedSession.IsPost())).Status);

        await textBox.FillAsync("Fast fingers");
        var refused = await page.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), limitedSession.IsPost());
        Assert.Equal(429, refused.Status);
        var retryAfter = int.Parse(refused.Headers["retry-after"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        await Expect(page.Locator("#composer-error")).ToHaveTextAsync($"You're sending too fast; try again in {retryAfter} s.");
        await Expect(textBox).ToHaveValueAsync("Fast fingers");
        await Expect(page.Locator("#outbox > li")).ToHaveCountAsync(0);
        using var client = limited.CreateChatClient();
        Assert.Single(await client.GetWholeHistoryAsync(Room));
        limitedSession.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Draft_is_kept_per_room_across_reloads_until_it_is_sent()
    {
        await App.AddRoomAsync("harbour");
        var context = await Session.NewContextAsync();
        var page = await Session.OpenRoomAsync(context);
        var textBox = page.Locator("#composer textarea[name=text]");
        await textBox.FillAsync("A half-written\nthought");

        await page.ReloadAsync();
        await Expect(textBox).ToHaveValueAsync("A half-written\nthought");
        var elsewhere = await Session.OpenRoomAsync(context, "harbour");
        await Expect(elsewhere.Locator("#composer textarea[name=text]")).ToHaveValueAsync("");

        await page.PickNameAsync("Ann");
        var response = await page.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), Session.IsPost());
        Assert.Equal(201, response.Status);
        // The page reads the reply after Playwright has seen it: reloading before that would lose the race, not the draft.
        await Expect(textBox).ToHaveValueAsync("");
        await page.ReloadAsync();
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
        await Expect(textBox).ToHaveValueAsync("");
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Counter_appears_near_the_length_limit()
    {
        var page = await Session.OpenRoomAsync();
        var textBox = page.Locator("#composer textarea[name=text]");
        var counter = page.Locator("#composer-counter");
        var limit = MessageLimits.TextMaxLength;
        await Expect(textBox).ToHaveAttributeAsync("aria-describedby", new System.Text.RegularExpressions.Regex(@"\bcomposer-counter\b"));

        await textBox.FillAsync(new string('x', limit - 401));
        await Expect(counter).ToBeHiddenAsync();
        await textBox.FillAsync(new string('x', limit - 400));
        await Expect(counter).ToHaveTextAsync("400 characters left");
        await textBox.FillAsync("   " + new string('x', limit - 10) + "   "); // surrounding whitespace does not count
        await Expect(counter).ToHaveTextAsync("10 characters left");
        await textBox.FillAsync(new string('x', limit));
        await Expect(counter).ToHaveTextAsync("0 characters left");
        await Expect(counter).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\btext-danger-emphasis\b"));
        await textBox.FillAsync("");
        await Expect(counter).ToBeHiddenAsync();
        Session.AssertNoScriptErrors();
    }

    /// <summary>
    /// A slow link: the first message is held on its way. What is typed right after Enter lands in an empty box and
    /// stays there, a second Enter queues behind the first, and the room stores them in the order written.
    /// </summary>
    [Fact]
    public async Task Text_typed_while_a_message_is_on_its_way_is_kept_and_messages_are_stored_in_the_order_written()
    {
        var page = await Session.NewPageAsync();
        var release = new TaskCompletionSource();
        var posts = 0;
        await page.RouteAsync(Session.PostUrl(), async route =>
        {
            Interlocked.Increment(ref posts);
            await release.Task;
            await route.ContinueAsync();
        });
        await Session.GoToRoomAsync(page);
        await page.PickNameAsync("Ann");
        var textBox = page.Locator("#composer textarea[name=text]");
        await textBox.PressSequentiallyAsync("first");
        await textBox.PressAsync("Enter");
        await textBox.PressSequentiallyAsync("second");
        await Expect(textBox).ToHaveValueAsync("second");
        await textBox.PressAsync("Enter");
        await textBox.PressSequentiallyAsync("third, still being written");
        await Expect(page.Locator("#outbox > li.message-pending .message-text")).ToHaveTextAsync(["first", "second"]);
        Assert.True(Volatile.Read(ref posts) <= 1, "the second message overtook the first");

        release.SetResult();
        await Expect(page.Locator("#outbox > li")).ToHaveCountAsync(0);
        await Expect(page.Locator("#messages > li.message .message-text")).ToHaveTextAsync(["first", "second"]);
        await Expect(textBox).ToHaveValueAsync("third, still being written");
        using var client = App.CreateChatClient();
        Assert.Equal(["first", "second"], (await client.GetWholeHistoryAsync(Room)).Select(message => message.Text));
        Assert.Equal(2, Volatile.Read(ref posts));
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Message_box_grows_with_its_text_up_to_a_limit_and_then_scrolls()
    {
        var page = await Session.OpenRoomAsync();
        var textBox = page.Locator("#composer textarea[name=text]");
        const string height = "(box) => box.getBoundingClientRect().height";
        var oneLine = await textBox.EvaluateAsync<double>(height);

        await textBox.FillAsync(string.Join('\n', Enumerable.Range(1, 6).Select(i => $"line {i}")));
        var sixLines = await textBox.EvaluateAsync<double>(height);
        Assert.True(sixLines >= oneLine * 3, $"six lines in a box {sixLines} px tall (one line: {oneLine} px)");

        await textBox.FillAsync(string.Join('\n', Enumerable.Range(1, 60).Select(i => $"line {i}")));
        var manyLines = await textBox.EvaluateAsync<double>(height);
        var maxHeight = await textBox.EvaluateAsync<double>("(box) => parseFloat(getComputedStyle(box).maxHeight)");
        Assert.True(manyLines > sixLines && manyLines <= maxHeight, $"sixty lines: {manyLines} px, at most {maxHeight} px");
        Assert.True(await textBox.EvaluateAsync<bool>("(box) => box.scrollHeight > box.clientHeight"), "the tall text does not scroll");

        await textBox.FillAsync("");
        Assert.Equal(oneLine, await textBox.EvaluateAsync<double>(height));
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task On_a_touch_keyboard_Enter_breaks_the_line_and_the_Send_button_sends()
    {
        var phone = await Session.NewContextAsync(new()
        {
            HasTouch = true,
            IsMobile = true,
            ViewportSize = new() { Width = 390, Height = 844 },
        });
        var page = await Session.OpenRoomAsync(phone);
        Assert.True(await page.EvaluateAsync<bool>("() => matchMedia('(pointer: coarse)').matches"), "not a touch device");
        await page.PickNameAsync("Ann");
        var posts = 0;
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url == Session.PostUrl())
            {
                Interlocked.Increment(ref posts);
            }
        };
        var textBox = page.Locator("#composer textarea[name=text]");
        await textBox.PressSequentiallyAsync("line one");
        await textBox.PressAsync("Enter");
        await textBox.PressSequentiallyAsync("line two");
        await Expect(textBox).ToHaveValueAsync("line one\nline two");
        Assert.Equal(0, await page.Locator("#outbox li").CountAsync()); // a send would have put it there at once
        Assert.Equal(0, Volatile.Read(ref posts));
        await Expect(textBox).ToHaveAttributeAsync("enterkeyhint", "enter");
        await Expect(page.Locator("#composer-help")).ToHaveTextAsync("Enter starts a new line; the Send button sends.");

        var response = await page.RunAndWaitForResponseAsync(
            () => page.Locator("#composer button[type=submit]").TapAsync(), Session.IsPost());
        Assert.Equal(201, response.Status);
        Assert.Equal("line one\nline two", (await ReadMessageAsync(response)).Text);
        await Expect(textBox).ToHaveValueAsync("");
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Pasted_text_over_the_limit_is_kept_whole_and_can_be_sent_once_shortened()
    {
        var page = await Session.OpenRoomAsync();
        await page.PickNameAsync("Ann");
        var posts = 0;
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url == Session.PostUrl())
            {
                Interlocked.Increment(ref posts);
            }
        };
        var textBox = page.Locator("#composer textarea[name=text]");
        var send = page.Locator("#composer button[type=submit]");
        var limit = MessageLimits.TextMaxLength;
        var tooLong = new string('x', limit + 100);

        await textBox.FocusAsync();
        await page.Keyboard.InsertTextAsync(tooLong); // one insertion of the whole text, as a paste is
        await Expect(textBox).ToHaveValueAsync(tooLong);
        await Expect(page.Locator("#composer-counter")).ToHaveTextAsync("100 characters too many");
        await Expect(send).ToBeDisabledAsync();
        await textBox.PressAsync("Enter");
        Assert.Equal(
            $"A message can be at most {limit.ToString("N0", CultureInfo.InvariantCulture)} characters. Shorten it to send it.",
            await textBox.EvaluateAsync<string>("(box) => box.validationMessage"));
        await Expect(textBox).ToHaveValueAsync(tooLong);
        Assert.Equal(0, await page.Locator("#outbox li").CountAsync());
        Assert.Equal(0, Volatile.Read(ref posts));

        await textBox.FillAsync(tooLong[100..]);
        await Expect(send).ToBeEnabledAsync();
        var response = await page.RunAndWaitForResponseAsync(() => send.ClickAsync(), Session.IsPost());
        Assert.Equal(201, response.Status);
        Assert.Equal(limit, (await ReadMessageAsync(response)).Text.Length);
        Session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Message_written_before_a_name_is_picked_is_sent_once_the_name_is_saved_and_focus_returns_to_the_box()
    {
        var page = await Session.OpenRoomAsync();
        var textBox = page.Locator("#composer textarea[name=text]");
        var nameInput = page.Locator("#identity-input");
        await textBox.FillAsync("Hello before my name");
        await textBox.PressAsync("Enter");
        await Expect(nameInput).ToBeFocusedAsync();
        await Expect(page.Locator("#identity-error")).ToHaveTextAsync("Pick a name before you send.");
        Assert.Equal(0, await page.Locator("#outbox li").CountAsync());

        await nameInput.FillAsync("Ann");
        var response = await page.RunAndWaitForResponseAsync(() => nameInput.PressAsync("Enter"), Session.IsPost());
        Assert.Equal(201, response.Status);
        var message = await ReadMessageAsync(response);
        Assert.Equal(("Ann", "Hello before my name"), (message.Author, message.Text));
        await Expect(Message(page, message.Seq)).ToHaveCountAsync(1);
        await Expect(textBox).ToHaveValueAsync("");
        await Expect(textBox).ToBeFocusedAsync();
        Session.AssertNoScriptErrors();
    }

    /// <summary>
    /// The network between page and server is cut (stream and posts alike). While it is, the page claims nobody
    /// online and no "No messages yet"; a message sent meanwhile fails. Back live, it goes again by itself with the
    /// same clientMessageId and is stored and shown once, also when the first try had been stored and only its
    /// answer was lost.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Message_that_failed_while_the_server_was_away_is_sent_by_itself_when_the_stream_is_back(bool reachedServer)
    {
        await using var proxy = new CuttableTcpProxy(App.BaseAddress);
        var page = await Session.NewPageAsync();
        var postThroughProxy = new Uri(proxy.BaseAddress, new Uri(Session.PostUrl()).AbsolutePath).ToString();
        var clientMessageIds = new ConcurrentQueue<string>();
        await page.RouteAsync(postThroughProxy, async route =>
        {
            clientMessageIds.Enqueue(QueryHelpers.ParseQuery(route.Request.PostData)["clientMessageId"].ToString());
            if (clientMessageIds.Count == 1 && reachedServer)
            {
                // Stored (straight to the app, past the cut), but the answer is lost with the network.
                await route.FetchAsync(new() { Url = Session.PostUrl() });
                await route.AbortAsync("connectionreset");
                return;
            }
            await route.ContinueAsync();
        });
        await GoToRoomAsync(page, new Uri(proxy.BaseAddress, Session.RoomUrl().AbsolutePath));
        await page.PickNameAsync("Ann");
        var online = page.Locator("#presence-list .presence-name");
        var noMessages = page.Locator("#no-messages");
        var status = page.Locator("#connection-status");
        await Expect(online).ToHaveTextAsync(["Ann"]);
        await Expect(noMessages).ToBeVisibleAsync();

        proxy.Cut();
        await Expect(status).ToHaveAttributeAsync("data-state", "reconnecting");
        await Expect(online).ToHaveCountAsync(0);
        await Expect(page.Locator("#presence-count")).ToHaveTextAsync("0");
        await Expect(noMessages).ToBeHiddenAsync();
        var textBox = page.Locator("#composer textarea[name=text]");
        const string text = "Sent while the server was away";
        await textBox.FillAsync(text);
        await textBox.PressAsync("Enter");
        await Expect(page.Locator("#outbox > li.message-failed")).ToBeVisibleAsync();

        proxy.Restore();
        await Expect(status).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });
        await Expect(page.Locator("#outbox > li")).ToHaveCountAsync(0);
        await Expect(page.Locator("#messages > li.message", new() { HasText = text })).ToHaveCountAsync(1);
        await Expect(page.Locator("#composer-error")).ToBeHiddenAsync();
        await Expect(online).ToHaveTextAsync(["Ann"]);

        Assert.Equal(2, clientMessageIds.Count);
        Assert.Single(clientMessageIds.Distinct());
        using var client = App.CreateChatClient();
        Assert.Single(await client.GetWholeHistoryAsync(Room), stored => stored.Text == text);
        Session.AssertNoScriptErrors();
    }

    /// <summary>
    /// A refusal is not a failure of the network: a message the rate limit refused (kept in the outbox, because the
    /// box already holds the next text) is not sent again by itself when the stream comes back; only the writer's
    /// Retry sends it.
    /// </summary>
    [Fact]
    public async Task Refused_message_is_not_sent_again_by_itself_when_the_stream_comes_back()
    {
        await using var limited = new ChatApplication(OnePostAMinute);
        await using var limitedSession = new BrowserSession(Chromium.Browser, limited);
        await using var proxy = new CuttableTcpProxy(limited.BaseAddress);
        var page = await limitedSession.NewPageAsync();
        var postThroughProxy = new Uri(proxy.BaseAddress, new Uri(limitedSession.PostUrl()).AbsolutePath).ToString();
        var posted = new ConcurrentQueue<string>();
        var release = new TaskCompletionSource();
        await page.RouteAsync(postThroughProxy, async route =>
        {
            posted.Enqueue(QueryHelpers.ParseQuery(route.Request.PostData)["text"].ToString());
            if (posted.Count == 2)
            {
                await release.Task; // held until the writer has the next text in the box
            }
            await route.ContinueAsync();
        });
        await GoToRoomAsync(page, new Uri(proxy.BaseAddress, limitedSession.RoomUrl().AbsolutePath));
        await page.PickNameAsync("Ann");
        var textBox = page.Locator("#composer textarea[name=text]");
        var isPost = (IResponse response) => response.Request.Method == "POST" && response.Url == postThroughProxy;
        await textBox.FillAsync("First words");
        Assert.Equal(201, (await page.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), isPost)).Status);

        await textBox.FillAsync("Fast fingers");
        await textBox.PressAsync("Enter");
        await textBox.FillAsync("The next thought");
        var refused = await page.RunAndWaitForResponseAsync(() =>
        {
            release.SetResult();
            return Task.CompletedTask;
        }, isPost);
        Assert.Equal(429, refused.Status);
        var kept = page.Locator("#outbox > li.message-failed");
        await Expect(kept.Locator(".message-text")).ToHaveTextAsync("Fast fingers");
        await Expect(textBox).ToHaveValueAsync("The next thought");

        var status = page.Locator("#connection-status");
        proxy.Cut();
        await Expect(status).ToHaveAttributeAsync("data-state", "reconnecting");
        proxy.Restore();
        await Expect(status).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });
        // Had the page resent the refused message on coming back, that post would come before this one.
        var next = await page.RunAndWaitForResponseAsync(() => textBox.PressAsync("Enter"), isPost);
        Assert.Equal(429, next.Status);
        Assert.Equal(["First words", "Fast fingers", "The next thought"], posted);
        await Expect(kept).ToHaveCountAsync(1);
        using var client = limited.CreateChatClient();
        Assert.Single(await client.GetWholeHistoryAsync(Room));
        limitedSession.AssertNoScriptErrors();
    }

    /// <summary>
    /// The page's antiforgery token belongs to who its visitor was when it was rendered; signing in or out of the
    /// admin area in another tab of the same browser makes the server refuse it. The page fetches a fresh token and
    /// posts again, once, with the same clientMessageId: stored once, shown once, marked as the sign-in now says.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Room_page_keeps_posting_after_its_visitor_signs_in_or_out_as_administrator_in_another_tab(bool signOut)
    {
        await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
        var browser = await Session.NewContextAsync();
        var adminTab = await Session.NewPageAsync(browser);
        if (signOut)
        {
            await adminTab.GotoAsync(Session.Url("admin/login"));
            await Session.SubmitSignInAsync(adminTab, "root", AdminSession.DefaultPassword);
        }
        var roomTab = await Session.OpenRoomAsync(browser);
        await roomTab.PickNameAsync("Ann");
        if (signOut)
        {
            await adminTab.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(adminTab.Locator("form#login-form")).ToBeVisibleAsync();
        }
        else
        {
            await adminTab.GotoAsync(Session.Url("admin/login"));
            await Session.SubmitSignInAsync(adminTab, "root", AdminSession.DefaultPassword);
        }
        var answers = new ConcurrentQueue<(int Status, string ClientMessageId)>();
        var isPost = Session.IsPost();
        roomTab.Response += (_, response) =>
        {
            if (isPost(response))
            {
                answers.Enqueue((response.Status,
                    QueryHelpers.ParseQuery(response.Request.PostData)["clientMessageId"].ToString()));
            }
        };

        var textBox = roomTab.Locator("#composer textarea[name=text]");
        const string text = "Still here after the sign-in changed";
        await textBox.FillAsync(text);
        await textBox.PressAsync("Enter");
        await Expect(roomTab.Locator("#messages > li.message", new() { HasText = text })).ToHaveCountAsync(1);
        await Expect(roomTab.Locator("#outbox > li")).ToHaveCountAsync(0);
        await Expect(roomTab.Locator("#composer-error")).ToBeHiddenAsync();

        await Eventually.TrueAsync(() => answers.Count == 2, "the page did not post exactly twice", TimeSpan.FromSeconds(5));
        Assert.Equal([400, 201], answers.Select(answer => answer.Status));
        Assert.Single(answers.Select(answer => answer.ClientMessageId).Distinct());
        using var client = App.CreateChatClient();
        var stored = Assert.Single(await client.GetWholeHistoryAsync(Room));
        Assert.Equal(text, stored.Text);
        Assert.Equal(!signOut, stored.Admin);
        Session.AssertNoScriptErrors();
    }
}
