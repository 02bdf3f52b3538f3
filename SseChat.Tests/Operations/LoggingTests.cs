using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Operations;

/// <summary>Logs carry request ids and the streams' lifecycle, and never a password or a token.</summary>
public sealed class LoggingTests : IAsyncLifetime
{
    private const string StreamerCategory = "SseChat.Web.Chat.RoomEventStreamer";

    private readonly CapturingLoggerProvider logs = new();
    private readonly ChatApplication app;

    public LoggingTests()
    {
        app = new ChatApplication(new Dictionary<string, string?>
        {
            // Everything, from every category, at the most detailed level: whatever any library might write.
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
            ["Logging:LogLevel:SseChat"] = "Trace",
            ["Logging:Console:LogLevel:Default"] = "None", // the capture sees it all; the test output need not
        })
        {
            ConfigureTestServices = services => services.AddSingleton<ILoggerProvider>(logs),
        };
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Signing_in_and_changing_a_password_never_logs_a_password_a_token_or_a_cookie()
    {
        const string firstPassword = "first Pa55word that nobody logs";
        const string secondPassword = "second Pa55word that nobody logs";
        const string wrongPassword = "wrong Pa55word that nobody logs";
        const string passwordTypedAsName = "Pa55word typed into the name box";
        var secrets = new List<string> { firstPassword, secondPassword, wrongPassword, passwordTypedAsName };

        await AdminSession.CreateAdministratorAsync(app, "root", firstPassword);
        using var visitor = app.CreateChatClient();
        secrets.Add(await TokenOfAsync(visitor, "admin/login", "form#login-form"));
        using (var wrong = await AdminSession.SubmitLoginAsync(visitor, "root", wrongPassword))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using (var misTyped = await AdminSession.SubmitLoginAsync(visitor, passwordTypedAsName, firstPassword))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, misTyped.StatusCode);
        }

        using (var admin = await AdminSession.SignInAsync(app, "root", firstPassword))
        {
            secrets.Add(await TokenOfAsync(admin.Client, "admin/password", "form[action$='/admin/password']"));
            using var changed = await admin.SubmitFormAsync("admin/password", "form[action$='/admin/password']", new Dictionary<string, string>
            {
                ["CurrentPassword"] = firstPassword,
                ["NewPassword"] = secondPassword,
                ["ConfirmPassword"] = secondPassword,
            });
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
            secrets.AddRange(CookieValues(admin.Client));
        }

        using var again = app.CreateChatClient();
        using (var signedIn = await AdminSession.SubmitLoginAsync(again, "root", secondPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }
        var (_, compose) = await again.GetComposeFormAsync("general");
        secrets.Add(compose["__RequestVerificationToken"]);
        await again.SendAsync("general", "root", "signed in again");
        secrets.AddRange(CookieValues(again));
        secrets.AddRange(CookieValues(visitor));
        await using (var db = app.CreateDbContext())
        {
            secrets.Add((await db.Administrators.SingleAsync(a => a.UserName == "root")).PasswordHash);
        }

        var entries = logs.Entries;
        // Not vacuous: the framework's detailed logs were captured, sign-in requests among them.
        Assert.Contains(entries, e => e.Level == LogLevel.Trace && e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Contains(entries, e => Equals(e.ScopeValue("RequestPath"), "/admin/login"));
        Assert.True(secrets.Count >= 8, $"expected passwords, tokens and cookies to look for, found {secrets.Count}");
        Assert.All(secrets, secret => Assert.True(secret.Length >= 16, "a secret short enough to match by chance"));
        foreach (var entry in entries)
        {
            var text = entry.AllText();
            foreach (var secret in secrets)
            {
                Assert.False(
                    text.Contains(secret, StringComparison.Ordinal),
                    $"A secret was logged by {entry.Category} ({entry.EventName}): {entry.Message}");
            }
        }
    }

    [Fact]
    public async Task Stream_open_and_close_are_logged_at_Debug_with_room_resume_point_and_replay_count_and_the_request_id()
    {
        using var client = app.CreateChatClient();
        for (var i = 1; i <= 3; i++)
        {
            await client.SendAsync("general", "ann", $"message {i}");
        }

        await using (var resumed = await SseSubscriber.ConnectAsync(app.BaseAddress, "general", lastEventId: "1"))
        {
            await resumed.ReadMessagesThroughAsync(3);
        }

        var opened = await LoggedAsync(e => e.Category == StreamerCategory && e.EventName == "LogStreamOpened");
        Assert.Equal(LogLevel.Debug, opened.Level);
        Assert.Equal(("general", 1L, 2), (opened.Value("Room"), opened.Value("ResumeAfter"), opened.Value("Replayed")));
        var closed = await LoggedAsync(e => e.Category == StreamerCategory && e.EventName == "LogStreamClosed");
        Assert.Equal(LogLevel.Debug, closed.Level);
        Assert.Equal(("general", 1L, 2, "ClientLeft"), (closed.Value("Room"), closed.Value("ResumeAfter"), closed.Value("Replayed"), closed.Value("End")?.ToString()));

        // Both inside the stream request's scope, so they share its request id.
        var requestId = Assert.IsType<string>(opened.ScopeValue("RequestId"));
        Assert.NotEmpty(requestId);
        Assert.Equal(requestId, closed.ScopeValue("RequestId"));
        Assert.Equal("/stream/general", opened.ScopeValue("RequestPath"));
    }

    private async Task<CapturedLog> LoggedAsync(Func<CapturedLog, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (logs.Entries.FirstOrDefault(match) is { } entry)
            {
                return entry;
            }
            Assert.True(DateTime.UtcNow < deadline, "the expected log entry was not written within 30 s");
            await Task.Delay(20);
        }
    }

    private static async Task<string> TokenOfAsync(ChatClient client, string path, string formSelector)
    {
        var page = await client.GetDocumentAsync(path);
        var form = page.QuerySelector<IHtmlFormElement>(formSelector)
            ?? throw new InvalidOperationException($"{path} has no form matching {formSelector}.");
        return form.Elements.OfType<IHtmlInputElement>().Single(i => i.Name == "__RequestVerificationToken").Value;
    }

    private static List<string> CookieValues(ChatClient client) =>
        client.Cookies.GetAllCookies().Select(cookie => cookie.Value).ToList();
}

/// <summary>What an operator sees on the console: each entry with its request id, in the simple and JSON formats.</summary>
public sealed class ConsoleLogTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ssechat-logs-");
    private readonly ChatDatabase database;

    public ConsoleLogTests() => database = ChatDatabase.CreateForRun(folder, "logs");

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task Console_log_entries_of_a_request_carry_its_request_id(string formatter)
    {
        using var server = await ChatServerProcess.StartAsync(database, new Dictionary<string, string>
        {
            ["Logging:LogLevel:SseChat"] = "Debug",
            ["Logging:Console:FormatterName"] = formatter,
        });

        await using (var stream = await SseSubscriber.ConnectAsync(server.BaseAddress, "general"))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!server.Output.Contains("Stream opened in room general", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no stream log within 30 s:\n{server.Output}");
                await Task.Delay(20);
            }
        }

        var lines = server.Output.Split('\n');
        var index = Array.FindIndex(lines, line => line.Contains("Stream opened in room general", StringComparison.Ordinal));
        if (formatter == "simple")
        {
            // "=> SpanId:…, TraceId:… => ConnectionId:… => RequestPath:/stream/general RequestId:…", above the message.
            Assert.Contains("RequestPath:/stream/general RequestId:", lines[index - 1], StringComparison.Ordinal);
        }
        else
        {
            using var entry = JsonDocument.Parse(lines[index]);
            var scopes = entry.RootElement.GetProperty("Scopes").EnumerateArray().ToList();
            Assert.Contains(scopes, scope =>
                scope.TryGetProperty("RequestId", out var id) && id.GetString() is { Length: > 0 }
                && scope.TryGetProperty("RequestPath", out var path) && path.GetString() == "/stream/general");
            Assert.Equal("general", entry.RootElement.GetProperty("State").GetProperty("Room").GetString());
        }
    }

    public void Dispose()
    {
        database.DropIfPostgres();
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
