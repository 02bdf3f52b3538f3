using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;
using Xunit.Abstractions;

using static SseChat.Tests.Infrastructure.SeqRange;

namespace SseChat.Tests.Operations;

/// <summary>
/// The <c>backup</c> command as an operator runs it (docs/backup.md): its own OS process next to a live server
/// process on the same SQLite file, while posts keep arriving; then the documented restore: stop the app, put the
/// backup in place of the database, start it again.
/// </summary>
[Trait("Database", "SqliteOnly")]
public sealed partial class BackupTests(ITestOutputHelper log) : IAsyncLifetime
{
    private const string Room = "general";
    private const int Posters = 4;

    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ssechat-backup-");
    private readonly List<ChatServerProcess> servers = [];

    private string LivePath => Path.Combine(folder.FullName, "live", "chat.db");

    /// <summary>In folders that do not exist yet: the command creates them.</summary>
    private string BackupPath => Path.Combine(folder.FullName, "backups", "nightly", "chat-backup.db");

    private string RestoredPath => Path.Combine(folder.FullName, "restored", "chat.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
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
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Backup_taken_while_the_app_serves_concurrent_posts_is_one_consistent_file()
    {
        var run = await BackUpUnderLoadAsync();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(run.AcknowledgedDuringCommand > 0, "No post was acknowledged while the backup command ran.");
        var backup = new FileInfo(BackupPath);
        Assert.True(backup.Exists, run.Output);
        Assert.Equal(backup.Length, long.Parse(WroteLine().Match(run.Output).Groups["size"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(BackupPath, WroteLine().Match(run.Output).Groups["path"].Value);

        // Self-contained: no -wal or -shm beside it, no leftover temporary file, and not in WAL mode, so copying
        // the one file copies everything.
        Assert.Equal(["chat-backup.db"], backup.Directory!.GetFiles().Select(f => f.Name));
        await using var connection = OpenReadOnly(BackupPath);
        Assert.Equal("ok", Scalar(connection, "PRAGMA integrity_check;"));
        Assert.Equal("delete", Scalar(connection, "PRAGMA journal_mode;"));

        // What it printed is what the file holds: the room's last seq, with every event up to it and none after.
        Assert.Equal(run.BackupLastSeq.ToString(CultureInfo.InvariantCulture), Scalar(connection, "SELECT LastSeq FROM Rooms WHERE Slug = 'general';"));
        Assert.Equal(run.BackupLastSeq.ToString(CultureInfo.InvariantCulture), Scalar(connection, "SELECT count(*) FROM RoomEvents;"));
        Assert.Equal(run.BackupLastSeq.ToString(CultureInfo.InvariantCulture), Scalar(connection, "SELECT coalesce(max(Seq), 0) FROM RoomEvents;"));
        Assert.Contains($"Total: 1 rooms, {run.BackupLastSeq} events", run.Output, StringComparison.Ordinal);
        Assert.InRange(run.BackupLastSeq, run.AcknowledgedBeforeBackup.Count, run.Acknowledged.Count - 1);
    }

    [Fact]
    public async Task Restored_backup_serves_every_message_acknowledged_before_the_backup_started()
    {
        var run = await BackUpUnderLoadAsync();
        Assert.True(run.ExitCode == 0, run.Output);

        var restored = await RestoreAsync(run);
        var history = await GetWholeHistoryAsync(restored);

        // Contiguous 1..n, n being the last seq the command reported.
        Assert.Equal(Seqs(1, run.BackupLastSeq), history.Select(m => m.Seq));
        // Every post that had its 201 before the backup began is there, identical (seq, author, text, sentAt).
        var restoredBySeq = history.ToDictionary(m => m.Seq);
        Assert.All(run.AcknowledgedBeforeBackup, ack => Assert.Equal(ack, restoredBySeq.GetValueOrDefault(ack.Seq)));
        // And the backup is the live history as of one commit: exactly its first n messages, nothing torn or extra.
        Assert.Equal(run.Acknowledged.Take(history.Count), history);

        using var client = restored.CreateChatClient();
        var next = await client.SendAsync(Room, "after-restore", "first message after the restore");
        Assert.Equal(run.BackupLastSeq + 1, next.Seq);
        log.WriteLine(
            $"{run.AcknowledgedBeforeBackup.Count} posts acknowledged before the backup, {run.AcknowledgedDuringCommand} " +
            $"while the command ran; the backup holds {run.BackupLastSeq} of {run.Acknowledged.Count}.");
    }

    [Fact]
    public async Task Client_ahead_of_the_restored_database_gets_reset_and_then_live_events()
    {
        var run = await BackUpUnderLoadAsync();
        Assert.True(run.ExitCode == 0, run.Output);
        // The client saw messages that were posted after the backup: it is ahead of what will be restored.
        Assert.True(run.ClientLastEventId > run.BackupLastSeq, $"{run.ClientLastEventId} <= {run.BackupLastSeq}");

        var restored = await RestoreAsync(run);
        await using var subscriber = await SseSubscriber.ConnectAsync(
            restored.BaseAddress, Room, lastEventId: run.ClientLastEventId.ToString(CultureInfo.InvariantCulture));

        var reset = await subscriber.NextAsync();
        Assert.Equal(SseFrames.ResetEventType, reset.EventType);
        Assert.True(string.IsNullOrEmpty(reset.EventId), $"reset carried id {reset.EventId}");
        using (var data = JsonDocument.Parse(reset.Data))
        {
            Assert.Equal(run.BackupLastSeq, data.RootElement.GetProperty("lastSeq").GetInt64());
        }

        // Live events continue from n + 1: the very next event is the next post, nothing replayed before it.
        using var client = restored.CreateChatClient();
        var next = await client.SendAsync(Room, "after-restore", "the room goes on");
        Assert.Equal(run.BackupLastSeq + 1, next.Seq);
        var item = await subscriber.NextAsync();
        Assert.Equal(SseFrames.MessageEventType, item.EventType);
        Assert.Equal(next, SseSubscriber.ParseMessage(item));
        Assert.Equal(next.Seq.ToString(CultureInfo.InvariantCulture), subscriber.LastEventId);
    }

    [Fact]
    public async Task Backup_refuses_to_overwrite_without_force_and_explains_a_bad_target()
    {
        var server = await StartServerAsync(LivePath);
        using var client = server.CreateChatClient();
        await client.SendAsync(Room, "ann", "worth keeping");
        var existing = Path.Combine(folder.FullName, "existing.db");
        await File.WriteAllTextAsync(existing, "an older backup");

        var (refusedExit, refusedOutput) = await BackupAsync(LivePath, existing);
        Assert.Equal(1, refusedExit);
        Assert.Contains("already exists; pass --force", refusedOutput, StringComparison.Ordinal);
        Assert.Equal("an older backup", await File.ReadAllTextAsync(existing));

        var (forcedExit, forcedOutput) = await BackupAsync(LivePath, existing, "--force");
        Assert.True(forcedExit == 0, forcedOutput);
        await using (var connection = OpenReadOnly(existing))
        {
            Assert.Equal("1", Scalar(connection, "SELECT count(*) FROM RoomEvents;"));
        }

        // A folder on the way that is a file, and a target that is a folder: exit 1, saying what is wrong.
        var notAFolder = Path.Combine(folder.FullName, "not-a-folder");
        await File.WriteAllTextAsync(notAFolder, "");
        var (fileExit, fileOutput) = await BackupAsync(LivePath, Path.Combine(notAFolder, "chat.db"));
        Assert.Equal(1, fileExit);
        Assert.Contains($"backup failed: cannot create the folder {notAFolder}", fileOutput, StringComparison.Ordinal);
        var (folderExit, folderOutput) = await BackupAsync(LivePath, folder.FullName);
        Assert.Equal(1, folderExit);
        Assert.Contains("is a folder", folderOutput, StringComparison.Ordinal);
        // Nor is the database itself a target.
        var (selfExit, selfOutput) = await BackupAsync(LivePath, LivePath, "--force");
        Assert.Equal(1, selfExit);
        Assert.Contains("is the database itself", selfOutput, StringComparison.Ordinal);

        var (usageExit, usageOutput) = await BackupAsync(LivePath);
        Assert.Equal(2, usageExit);
        Assert.Contains("usage: backup <file> [--force]", usageOutput, StringComparison.Ordinal);

        // No failed attempt left a temporary file behind.
        Assert.Equal(["existing.db", "not-a-folder"], folder.GetFiles().Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Backup_of_a_missing_database_fails_without_creating_one()
    {
        var missing = Path.Combine(folder.FullName, "nothing-here", "chat.db");

        var (exitCode, output) = await BackupAsync(missing, BackupPath);

        Assert.Equal(1, exitCode);
        Assert.Contains($"backup failed: the database {missing} does not exist", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)), "The command created the source's folder.");
        Assert.False(File.Exists(BackupPath));
    }

    [Fact]
    public async Task Backup_of_a_stopped_database_includes_its_write_ahead_log_and_changes_none_of_its_files()
    {
        var server = await StartServerAsync(LivePath);
        using (var client = server.CreateChatClient())
        {
            for (var i = 0; i < 10; i++)
            {
                await client.SendAsync(Room, "ann", $"message {i}");
            }
        }
        server.Kill();
        // The last commits are only in the write-ahead log, which nothing has checkpointed.
        Assert.True(new FileInfo(LivePath + "-wal") is { Exists: true, Length: > 0 }, "The kill left no write-ahead log.");
        var before = await HashAsync(LivePath, LivePath + "-wal");

        var (exitCode, output) = await BackupAsync(LivePath, BackupPath);

        Assert.True(exitCode == 0, output);
        Assert.Contains("Room general: last seq 10", output, StringComparison.Ordinal);
        // Neither migrated, checkpointed nor otherwise written: the database and its log are byte for byte the same.
        Assert.Equal(before, await HashAsync(LivePath, LivePath + "-wal"));
        await using var connection = OpenReadOnly(BackupPath);
        Assert.Equal("10", Scalar(connection, "SELECT count(*) FROM RoomEvents;"));
    }

    /// <summary>What happened around one backup taken under load.</summary>
    /// <param name="AcknowledgedBeforeBackup">Posts whose 201 had arrived before the command was launched.</param>
    /// <param name="Acknowledged">Every post of the run, by seq (all of them got a 201).</param>
    /// <param name="AcknowledgedDuringCommand">201s that arrived while the command process ran.</param>
    /// <param name="BackupLastSeq">The room's last seq as the command reported it.</param>
    /// <param name="ClientLastEventId">The Last-Event-ID of a stream client that read every message of the run.</param>
    private sealed record BackupRun(
        ChatServerProcess Server,
        int ExitCode,
        string Output,
        IReadOnlyList<ChatMessage> AcknowledgedBeforeBackup,
        IReadOnlyList<ChatMessage> Acknowledged,
        int AcknowledgedDuringCommand,
        long BackupLastSeq,
        long ClientLastEventId);

    /// <summary>
    /// Starts the app on <see cref="LivePath"/>, keeps four browser-like clients posting, runs the backup command on the
    /// same file in the middle of it, stops the posters once the command is done, then posts five more messages (so
    /// the live room is certainly ahead of the backup) and lets a stream client read everything.
    /// </summary>
    private async Task<BackupRun> BackUpUnderLoadAsync()
    {
        var server = await StartServerAsync(LivePath);
        await using var subscriber = await SseSubscriber.ConnectAsync(server.BaseAddress, Room, after: "0");
        var acknowledged = new ConcurrentQueue<ChatMessage>();
        using var stop = new CancellationTokenSource();

        var posters = Enumerable.Range(0, Posters)
            .Select(poster => Task.Run(() => PostUntilStoppedAsync(server, poster, acknowledged, stop.Token)))
            .ToArray();
        try
        {
            await WaitForAsync(() => acknowledged.Count >= 40, "40 posts acknowledged before the backup");
            var beforeBackup = acknowledged.ToArray();
            var (exitCode, output) = await BackupAsync(LivePath, BackupPath);
            var duringCommand = acknowledged.Count - beforeBackup.Length;
            log.WriteLine(output);
            await stop.CancelAsync();
            await Task.WhenAll(posters).WaitAsync(PhaseTimeout);

            using (var client = server.CreateChatClient())
            {
                for (var i = 0; i < 5; i++)
                {
                    acknowledged.Enqueue(await client.SendAsync(Room, "after-backup", $"posted after the backup {i}"));
                }
            }
            var all = acknowledged.OrderBy(m => m.Seq).ToList();
            Assert.Equal(Seqs(1, all.Count), all.Select(m => m.Seq));
            var seen = await subscriber.ReadMessagesThroughAsync(all.Count, PhaseTimeout);
            Assert.Equal(all, seen);

            var reported = LastSeqLine().Match(output);
            var backupLastSeq = reported.Success
                ? long.Parse(reported.Groups["seq"].Value, CultureInfo.InvariantCulture)
                : -1;
            return new BackupRun(
                server,
                exitCode,
                output,
                beforeBackup,
                all,
                duringCommand,
                backupLastSeq,
                long.Parse(subscriber.LastEventId!, CultureInfo.InvariantCulture));
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private static async Task PostUntilStoppedAsync(
        ChatServerProcess server, int poster, ConcurrentQueue<ChatMessage> acknowledged, CancellationToken stop)
    {
        using var client = server.CreateChatClient();
        var author = $"poster-{poster}";
        for (var i = 0; i < 5_000 && !stop.IsCancellationRequested; i++)
        {
            var text = $"message {i} from poster {poster}";
            var message = await client.SendAsync(Room, author, text);
            Assert.Equal((author, text), (message.Author, message.Text));
            acknowledged.Enqueue(message);
        }
    }

    /// <summary>The documented restore: stop the app, put the backup in place of its database, start it.</summary>
    private async Task<ChatServerProcess> RestoreAsync(BackupRun run)
    {
        run.Server.Kill();
        Directory.CreateDirectory(Path.GetDirectoryName(RestoredPath)!);
        File.Copy(BackupPath, RestoredPath);
        return await StartServerAsync(RestoredPath);
    }

    private async Task<ChatServerProcess> StartServerAsync(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(databasePath)!);
        var server = await ChatServerProcess.StartAsync(databasePath);
        servers.Add(server);
        return server;
    }

    /// <summary><c>dotnet SseChat.Web.dll backup ...</c> with <c>ConnectionStrings__Chat</c> naming <paramref name="databasePath"/>.</summary>
    private static Task<(int ExitCode, string Output)> BackupAsync(string databasePath, params string[] arguments)
    {
        return ChatServerProcess.RunCommandAsync(databasePath, ["backup", .. arguments], "");
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(PhaseTimeout);
        while (!condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not reached within {PhaseTimeout.TotalSeconds:0} s: {what}.");
            }
        }
    }

    private static SqliteConnection OpenReadOnly(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static string? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static async Task<string> HashAsync(params string[] files)
    {
        var hashes = new List<string>();
        foreach (var file in files)
        {
            hashes.Add(Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(file))));
        }
        return string.Join(' ', hashes);
    }


    [GeneratedRegex(@"^Room general: last seq (?<seq>[0-9]+)\r?$", RegexOptions.Multiline)]
    private static partial Regex LastSeqLine();

    [GeneratedRegex(@"^Wrote (?<path>.+): (?<size>[0-9]+) bytes", RegexOptions.Multiline)]
    private static partial Regex WroteLine();

    private static async Task<List<ChatMessage>> GetWholeHistoryAsync(ChatServerProcess server)
    {
        using var client = server.CreateChatClient();
        return await client.GetWholeHistoryAsync(Room);
    }
}
