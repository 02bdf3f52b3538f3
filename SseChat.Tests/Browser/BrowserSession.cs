using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

using static Microsoft.Playwright.Assertions;

namespace SseChat.Tests.Browser;

/// <summary>
/// One test's pages in the shared Chromium: each new page gets its own browser context (own cookies and storage)
/// unless a context is passed, every uncaught script error and every complaint of ui-text.js (a text key the page's
/// catalogue lacks) is collected, and all contexts close at the end.
/// </summary>
/// <param name="baseAddress">The app's http://127.0.0.1:port/ address, asked for when first needed.</param>
public sealed class BrowserSession(IBrowser browser, Func<Uri> baseAddress) : IAsyncDisposable
{
    public const string Room = "general";

    // What wwwroot/js/chat/ui-text.js starts its console errors with.
    private const string MissingTextPrefix = "ui-text:";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly List<IBrowserContext> contexts = [];
    private readonly ConcurrentQueue<string> scriptErrors = new();

    /// <summary>A session on an app the test hosts itself (started when first needed).</summary>
    public BrowserSession(IBrowser browser, ChatApplication app) : this(browser, () => app.BaseAddress)
    {
    }

    /// <summary>The app's address of <paramref name="path"/> (relative, e.g. "admin/login").</summary>
    public string Url(string path) => new Uri(baseAddress(), path).ToString();

    public Uri RoomUrl(string slug = Room) => new(baseAddress(), $"rooms/{slug}");

    public string PostUrl(string slug = Room) => Url($"rooms/{slug}/messages");

    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        var context = await browser.NewContextAsync(options);
        contexts.Add(context);
        context.SetDefaultTimeout(10_000);
        return context;
    }

    public async Task<IPage> NewPageAsync(IBrowserContext? context = null)
    {
        context ??= await NewContextAsync();
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => scriptErrors.Enqueue(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.StartsWith(MissingTextPrefix, StringComparison.Ordinal))
            {
                scriptErrors.Enqueue(message.Text);
            }
        };
        return page;
    }

    /// <summary>The room page in a new page (and context, unless given), its stream open.</summary>
    public async Task<IPage> OpenRoomAsync(IBrowserContext? context = null, string slug = Room)
    {
        var page = await NewPageAsync(context);
        await GoToRoomAsync(page, slug);
        return page;
    }

    public Task GoToRoomAsync(IPage page, string slug = Room) => GoToRoomAsync(page, RoomUrl(slug));

    /// <summary>A room page at any address (e.g. the app's, reached through a proxy), its stream open.</summary>
    public static async Task GoToRoomAsync(IPage page, Uri roomUrl)
    {
        var response = await page.GotoAsync(roomUrl.ToString());
        Assert.Equal(200, response?.Status);
        await Expect(page.Locator("#connection-status")).ToHaveAttributeAsync("data-state", "live");
    }

    /// <summary>
    /// Fills and submits the sign-in form the page shows, as an administrator would, and waits for the rooms table
    /// the admin area opens on (by what is shown, not by the load event, which a busy machine may hold back).
    /// </summary>
    public async Task SubmitSignInAsync(IPage page, string userName, string password)
    {
        var form = page.Locator("form#login-form");
        await form.Locator("input[name=UserName]").FillAsync(userName);
        await form.Locator("input[name=Password]").FillAsync(password);
        await form.Locator("button[type=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(Url("admin"));
        await Expect(page.Locator("#admin-rooms")).ToBeVisibleAsync();
    }

    /// <summary>Whether a response is the reply to a post in the room.</summary>
    public Func<IResponse, bool> IsPost(string slug = Room)
    {
        var url = PostUrl(slug);
        return response => response.Request.Method == "POST" && response.Url == url;
    }

    public static async Task<ChatMessage> ReadMessageAsync(IResponse response) =>
        JsonSerializer.Deserialize<ChatMessage>(await response.TextAsync(), Json)!;

    /// <summary>A confirmed message in the list (not the outbox), by seq.</summary>
    public static ILocator Message(IPage page, long seq) =>
        page.Locator($"#messages > li.message[data-seq='{seq.ToString(CultureInfo.InvariantCulture)}']");

    /// <summary>The seqs of the confirmed messages shown, top to bottom.</summary>
    public static async Task<long[]> ShownSeqsAsync(IPage page) =>
        await page.EvaluateAsync<long[]>(
            "() => Array.from(document.querySelectorAll('#messages > li.message'), (item) => Number(item.dataset.seq))");

    public void AssertNoScriptErrors() => Assert.Empty(scriptErrors);

    public async ValueTask DisposeAsync()
    {
        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }
    }
}
