// How long a room page takes to show each live message as a long day goes on: starts the published SseChat.Web
// with a fresh database, opens the room page in Debian's Chromium, posts N messages through the app (in parallel
// batches, like a busy room) and times, inside the page, the stream's handling of every `message` event (render,
// grouping, scrolling, announcing). Prints the handling time per block of messages and the most messages the list
// held. A flat line is the point: the 5,000th message should cost what the 100th did.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

var options = ListBenchOptions.Parse(args);
var port = FreePort();
var baseAddress = new Uri($"http://127.0.0.1:{port}/");
var database = Path.Combine(Path.GetTempPath(), $"ssechat-listbench-{Guid.NewGuid():N}.db");

using var server = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(options.Web, "SseChat.Web.dll")])
{
    WorkingDirectory = options.Web,
    RedirectStandardOutput = true,
    RedirectStandardError = true,
    Environment =
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["ASPNETCORE_URLS"] = baseAddress.ToString(),
        ["ConnectionStrings__Chat"] = $"Data Source={database}",
        ["RateLimits__PostPermitLimit"] = "1000000",
        ["Chat__RoomPageMessageCap"] = options.Cap.ToString(CultureInfo.InvariantCulture),
    },
})!;
server.OutputDataReceived += (_, _) => { };
server.ErrorDataReceived += (_, _) => { };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
try
{
    using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress };
    await WaitUntilUpAsync(http, server);

    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = options.Chromium,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
    // Times every listener of the stream's `message` events, from the first line of the page's own scripts on.
    await page.AddInitScriptAsync("""
        window.__handlingMs = [];
        const add = EventSource.prototype.addEventListener;
        EventSource.prototype.addEventListener = function (type, listener, options) {
          if (type === 'message') {
            const inner = listener;
            listener = function (event) {
              const start = performance.now();
              try { return inner.call(this, event); } finally { window.__handlingMs.push(performance.now() - start); }
            };
          }
          return add.call(this, type, listener, options);
        };
        """);
    await page.GotoAsync(new Uri(baseAddress, "rooms/general").ToString());
    await page.WaitForSelectorAsync("#connection-status[data-state=live]");

    var token = await GetTokenAsync(http);
    var mostShown = 0;
    for (var sent = 0; sent < options.Messages; sent += options.Batch)
    {
        var count = Math.Min(options.Batch, options.Messages - sent);
        await Task.WhenAll(Enumerable.Range(sent, count).Select(i => PostAsync(http, token, $"Poster {i % 7}", $"message {i}")));
        mostShown = Math.Max(mostShown, await ShownAsync(page));
    }
    await page.WaitForFunctionAsync($"() => window.__handlingMs.length >= {options.Messages}", null, new() { Timeout = 120_000 });
    mostShown = Math.Max(mostShown, await ShownAsync(page));
    var handling = await page.EvaluateAsync<double[]>("() => window.__handlingMs");

    Console.WriteLine($"SseChat room page, {options.Messages:N0} live messages in batches of {options.Batch}, " +
        $"Chat:RoomPageMessageCap {options.Cap}, Chromium {browser.Version}");
    Console.WriteLine($"most messages in the list: {mostShown:N0}");
    Console.WriteLine("messages        median ms  p95 ms  p99 ms  max ms");
    for (var start = 0; start < handling.Length; start += options.Block)
    {
        var block = handling.Skip(start).Take(options.Block).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{start + 1,5}-{start + block.Length,-8} {Percentile(block, 0.50),9:0.000} {Percentile(block, 0.95),7:0.000} {Percentile(block, 0.99),7:0.000} {block[^1],7:0.000}"));
    }
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
    foreach (var file in new[] { database, database + "-wal", database + "-shm" })
    {
        File.Delete(file);
    }
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

static Task<int> ShownAsync(IPage page) =>
    page.EvaluateAsync<int>("() => document.querySelectorAll('#messages > li.message').length");

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static async Task WaitUntilUpAsync(HttpClient http, Process server)
{
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (true)
    {
        if (server.HasExited)
        {
            throw new InvalidOperationException($"SseChat.Web exited with {server.ExitCode} before it was up.");
        }
        try
        {
            using var response = await http.GetAsync("readyz");
            if (response.IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException) when (DateTime.UtcNow < deadline)
        {
        }
        if (DateTime.UtcNow >= deadline)
        {
            throw new TimeoutException("SseChat.Web did not start within 60 s.");
        }
        await Task.Delay(200);
    }
}

// The compose form's antiforgery token (its cookie stays in the client's cookie container).
static async Task<string> GetTokenAsync(HttpClient http)
{
    var html = await http.GetStringAsync("rooms/general");
    return Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
}

static async Task PostAsync(HttpClient http, string token, string author, string text)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "rooms/general/messages")
    {
        Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("author", author), new("text", text)]),
    };
    request.Headers.Accept.ParseAdd("application/json");
    using var response = await http.SendAsync(request);
    if (response.StatusCode != HttpStatusCode.Created)
    {
        throw new InvalidOperationException($"A post was answered {(int)response.StatusCode}.");
    }
}

internal sealed record ListBenchOptions(string Web, string Chromium, int Messages, int Batch, int Block, int Cap)
{
    public static ListBenchOptions Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }
        int Number(string name, int fallback) => int.Parse(Value(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var web = Path.GetFullPath(Value("--web", "."));
        if (!File.Exists(Path.Combine(web, "SseChat.Web.dll")))
        {
            throw new ArgumentException("--web must name a published SseChat.Web folder (bench/message-list.sh passes it).");
        }
        return new(web, Value("--chromium", "/usr/bin/chromium"), Number("--messages", 5_000), Number("--batch", 50),
            Number("--block", 500), Number("--cap", 500));
    }
}
