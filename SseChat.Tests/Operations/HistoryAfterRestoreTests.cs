using System.Globalization;
using Microsoft.Data.Sqlite;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Operations;

/// <summary>
/// A page rendered before a restore, as an operator does one (docs/backup.md): its stream address names the history it
/// came from, so its browser starts afresh with <c>reset</c>, even once the restored room has passed the seq it
/// remembers. The backup command's copy is a new history by itself; <c>epoch renew</c> makes one of a database
/// restored by other means. Real processes on a real SQLite file.
/// </summary>
[Trait("Database", "SqliteOnly")]
public sealed class HistoryAfterRestoreTests : IDisposable
{
    private const string Room = "general";

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ssechat-history-");
    private readonly List<ChatServerProcess> servers = [];

    private string LivePath => Path.Combine(folder.FullName, "chat.db");

    private string BackupPath => Path.Combine(folder.FullName, "backups", "chat-backup.db");

    public void Dispose()
    {
        foreach (var server in servers)
        {
            server.Dispose();
        }
        SqliteConnection.ClearAllPools();
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; failing the test over it is not.
        }
    }

    [Fact]
    public async Task Page_from_before_a_restored_backup_gets_reset_though_the_room_passed_its_last_event_id()
    {
        var server = await StartServerAsync();
        var oldAddress = await StreamAddressOfPageAsync(server);
        await PostAsync(server, 3, "before the backup");
        var (backupExit, backupOutput) = await ChatServerProcess.RunCommandAsync(LivePath, ["backup", BackupPath], "");
        Assert.True(backupExit == 0, backupOutput);
        Assert.NotEqual(EpochOf(LivePath), EpochOf(BackupPath));
        await PostAsync(server, 4, "after the backup");
        var oldLastEventId = await ReadAllAsync(server, oldAddress, through: 7);

        await StopAsync(server);
        File.Copy(BackupPath, LivePath, overwrite: true);
        File.Delete(LivePath + "-wal");
        File.Delete(LivePath + "-shm");
        var restored = await StartServerAsync();
        // Seqs 4..9 again, with other messages: the old page's Last-Event-ID (7) is within the room now.
        await PostAsync(restored, 6, "after the restore");

        await using (var oldPage = await SseSubscriber.ConnectToAsync(restored.BaseAddress, oldAddress, oldLastEventId))
        {
            var reset = await oldPage.NextAsync();
            Assert.Equal(SseFrames.ResetEventType, reset.EventType);
            Assert.True(string.IsNullOrEmpty(reset.EventId), $"reset carried id {reset.EventId}");
            Assert.Equal("""{"lastSeq":9}""", reset.Data);
        }
        // What the check prevents: without the page's version the stream cannot tell, and resumes into other events.
        await using (var unversioned = await SseSubscriber.ConnectAsync(restored.BaseAddress, Room, lastEventId: oldLastEventId))
        {
            var resumed = SseSubscriber.ParseMessage(await unversioned.NextAsync());
            Assert.Equal((8L, "after the restore 5"), (resumed.Seq, resumed.Text));
        }
        // A page rendered after the restore resumes as always.
        var newAddress = await StreamAddressOfPageAsync(restored);
        await using (var newPage = await SseSubscriber.ConnectToAsync(restored.BaseAddress, newAddress, "7"))
        {
            Assert.Equal(["after the restore 5", "after the restore 6"], (await newPage.ReadMessagesThroughAsync(9)).Select(m => m.Text));
        }
    }

    [Fact]
    public async Task Epoch_renew_makes_pages_from_before_it_start_afresh()
    {
        var server = await StartServerAsync();
        var oldAddress = await StreamAddressOfPageAsync(server);
        await PostAsync(server, 2, "before the renewal");
        var oldLastEventId = await ReadAllAsync(server, oldAddress, through: 2);
        await StopAsync(server);
        var before = EpochOf(LivePath);

        var (usageExit, usageOutput) = await ChatServerProcess.RunCommandAsync(LivePath, ["epoch"], "");
        Assert.Equal(2, usageExit);
        Assert.Contains("usage: epoch renew", usageOutput, StringComparison.Ordinal);
        Assert.Equal(before, EpochOf(LivePath));

        var (exitCode, output) = await ChatServerProcess.RunCommandAsync(LivePath, ["epoch", "renew"], "");
        Assert.True(exitCode == 0, output);
        Assert.Contains("Database epoch renewed", output, StringComparison.Ordinal);
        Assert.NotEqual(before, EpochOf(LivePath));

        var renewed = await StartServerAsync();
        await using var oldPage = await SseSubscriber.ConnectToAsync(renewed.BaseAddress, oldAddress, oldLastEventId);
        var reset = await oldPage.NextAsync();
        Assert.Equal(SseFrames.ResetEventType, reset.EventType);
        Assert.Equal("""{"lastSeq":2}""", reset.Data);
        Assert.NotEqual(oldAddress, await StreamAddressOfPageAsync(renewed));
    }

    private async Task<ChatServerProcess> StartServerAsync()
    {
        var server = await ChatServerProcess.StartAsync(LivePath);
        servers.Add(server);
        return server;
    }

    private static async Task StopAsync(ChatServerProcess server)
    {
        server.Terminate();
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)), "The server did not stop on SIGTERM.");
        SqliteConnection.ClearAllPools();
    }

    private static async Task PostAsync(ChatServerProcess server, int count, string text)
    {
        using var client = server.CreateChatClient();
        for (var i = 1; i <= count; i++)
        {
            await client.SendAsync(Room, "ann", $"{text} {i}");
        }
    }

    /// <summary>The room page's stream address, as its EventSource uses it on every reconnect.</summary>
    private static async Task<string> StreamAddressOfPageAsync(ChatServerProcess server)
    {
        using var client = server.CreateChatClient();
        var page = await client.GetDocumentAsync($"rooms/{Room}");
        return page.GetElementById("room")!.GetAttribute("data-stream-url")!;
    }

    /// <summary>Reads the page's stream through <paramref name="through"/>; returns the Last-Event-ID it would resume with.</summary>
    private static async Task<string> ReadAllAsync(ChatServerProcess server, string address, long through)
    {
        await using var page = await SseSubscriber.ConnectToAsync(server.BaseAddress, address);
        await page.ReadMessagesThroughAsync(through);
        Assert.Equal(through.ToString(CultureInfo.InvariantCulture), page.LastEventId);
        return page.LastEventId!;
    }

    private static long EpochOf(string databasePath)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Epoch FROM DatabaseEpochs WHERE Id = 1;";
        return (long)command.ExecuteScalar()!;
    }
}
