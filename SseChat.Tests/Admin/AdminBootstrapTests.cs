using System.Net;
using System.Text.RegularExpressions;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Admin;

/// <summary>How an operator gets in the first time: a real app process, as run from the README's commands.</summary>
public sealed partial class AdminBootstrapTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ssechat-bootstrap-");
    private readonly ChatDatabase database;

    public AdminBootstrapTests() => database = ChatDatabase.CreateForRun(folder, "bootstrap");

    [Fact]
    public async Task First_start_prints_a_one_time_password_that_must_be_replaced_at_sign_in()
    {
        using var server = await ChatServerProcess.StartAsync(database);

        var match = OneTimePassword().Match(server.Output);
        Assert.True(match.Success, $"no one-time password in the log:\n{server.Output}");
        using var client = server.CreateChatClient();
        using var response = await AdminSession.SubmitLoginAsync(client, "admin", match.Groups["password"].Value);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/admin/password", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_set_password_command_creates_an_administrator_who_can_sign_in()
    {
        var (exitCode, output) = await ChatServerProcess.RunCommandAsync(
            database, ["admin", "set-password", "operator"], "a long operator password\n");
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("a long operator password", output, StringComparison.Ordinal);

        using var server = await ChatServerProcess.StartAsync(database);
        Assert.DoesNotMatch(OneTimePassword(), server.Output); // an administrator exists: nothing is generated
        using var client = server.CreateChatClient();
        using var response = await AdminSession.SubmitLoginAsync(client, "operator", "a long operator password");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/admin", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_command_refuses_a_short_password_and_unknown_arguments()
    {
        var (shortExit, shortOutput) = await ChatServerProcess.RunCommandAsync(
            database, ["admin", "set-password", "operator"], "short\n");
        var (usageExit, usageOutput) = await ChatServerProcess.RunCommandAsync(database, ["admin", "bogus"], "");

        Assert.Equal(1, shortExit);
        Assert.Contains("at least", shortOutput, StringComparison.Ordinal);
        Assert.Equal(2, usageExit);
        Assert.Contains("usage: admin set-password", usageOutput, StringComparison.Ordinal);
    }

    [GeneratedRegex("one-time password: (?<password>[A-Za-z0-9_-]+)")]
    private static partial Regex OneTimePassword();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
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
