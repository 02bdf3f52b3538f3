using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using SseChat.Web.Data;

namespace SseChat.Web.Operations;

/// <summary>
/// <c>dotnet run --project SseChat.Web -- backup &lt;file&gt; [--force]</c> (or <c>dotnet SseChat.Web.dll backup ...</c>):
/// copies the chat database into one self-contained SQLite file while the app keeps serving, prints what it wrote,
/// and exits. See docs/backup.md for scheduling it and for restoring.
/// </summary>
/// <remarks>
/// <para>
/// It uses SQLite's online backup API (<see cref="SqliteConnection.BackupDatabase(SqliteConnection)"/>) rather than
/// <c>VACUUM INTO</c>. Microsoft.Data.Sqlite runs it as a single <c>sqlite3_backup_step(-1)</c>, so every page is
/// copied inside one read transaction: the copy is the database exactly as of one commit, committed WAL frames
/// included, and in WAL mode the app's writer is never blocked by it. The pages are written through the target's
/// own pager and journal with <c>synchronous=FULL</c>, so the copy is on disk when the command reports success;
/// <c>VACUUM INTO</c> would give a compacted copy too, but SQLite does not sync the file it writes.
/// </para>
/// <para>
/// The command only reads the source: it opens it read-only (a read-only connection never checkpoints the WAL, so not
/// even the -wal file changes) and Program.cs runs it before the start-up migrations, so neither a migration nor
/// EF Core's migration lock touches the database being copied, and a backup taken with a newer build before an
/// upgrade is still a copy of the old database. The copy is written to a hidden temporary file beside the target,
/// given a database epoch of its own (restoring it starts a new history, see RenewEpoch), checked (<c>PRAGMA integrity_check</c>), switched from WAL to a rollback journal so that it needs no -wal or -shm
/// file, and only then renamed to the target name: a failed or interrupted backup never leaves a half-written file
/// under that name.
/// </para>
/// </remarks>
internal static class BackupCommand
{
    private const string Usage =
        "usage: backup <file> [--force]   (writes a copy of the chat database to <file>; --force replaces an existing file)";

    /// <summary>Runs the command when the arguments ask for it; false when they do not (the app then goes on).</summary>
    public static async Task<bool> TryRunBackupCommandAsync(this WebApplication app, string[] args)
    {
        if (args.Length == 0 || args[0] != "backup")
        {
            return false;
        }
        if (!TryParse(args, out var target, out var force))
        {
            await Console.Error.WriteLineAsync(Usage);
            Environment.ExitCode = 2;
            return true;
        }

        if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider != DatabaseProvider.Sqlite)
        {
            await Console.Error.WriteLineAsync(
                "backup failed: this command copies the SQLite file; on PostgreSQL back up with pg_dump (docs/scale-out.md, \"Backups\").");
            Environment.ExitCode = 2;
            return true;
        }

        try
        {
            var report = Run(SourceConnectionString(app), target, force);
            await Console.Out.WriteAsync(report);
            Environment.ExitCode = 0;
        }
        catch (Exception failure) when (
            failure is BackupFailedException or SqliteException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"backup failed: {failure.Message}");
            Environment.ExitCode = 1;
        }
        return true;
    }

    /// <summary>
    /// <c>backup &lt;file&gt;</c> with an optional <c>--force</c> anywhere after it. Arguments written
    /// <c>--Key=value</c> are configuration (e.g. <c>--ConnectionStrings:Chat=...</c>), read by the host as usual.
    /// </summary>
    private static bool TryParse(string[] args, out string target, out bool force)
    {
        target = "";
        force = false;
        foreach (var argument in args.Skip(1))
        {
            if (argument == "--force")
            {
                force = true;
            }
            else if (argument.StartsWith('-') && argument.Contains('=', StringComparison.Ordinal))
            {
                // A configuration override; the host's command-line provider has it already.
            }
            else if (argument.StartsWith('-') || target.Length > 0 || string.IsNullOrWhiteSpace(argument))
            {
                return false;
            }
            else
            {
                target = argument;
            }
        }
        return target.Length > 0;
    }

    /// <summary>The database the app serves (ConnectionStrings:Chat, resolved from the content root as at start-up).</summary>
    private static string SourceConnectionString(WebApplication app)
    {
        // Creating a context opens nothing; it only hands back the connection string AddChatDatabase resolved.
        using var db = app.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContext();
        return db.Database.GetConnectionString()
            ?? throw new BackupFailedException($"ConnectionStrings:{DatabaseExtensions.ConnectionStringName} is not set.");
    }

    private static string Run(string sourceConnectionString, string target, bool force)
    {
        var source = new SqliteConnectionStringBuilder(sourceConnectionString)
        {
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        };
        var sourcePath = Path.GetFullPath(source.DataSource);
        // A relative target is taken from the working folder, as any command-line tool would.
        var targetPath = Path.GetFullPath(target);

        if (!File.Exists(sourcePath))
        {
            throw new BackupFailedException(
                $"the database {sourcePath} does not exist (ConnectionStrings:{DatabaseExtensions.ConnectionStringName}).");
        }
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        string[] sourceFiles = [sourcePath, sourcePath + "-wal", sourcePath + "-shm", sourcePath + "-journal"];
        if (sourceFiles.Any(file => string.Equals(file, targetPath, comparison)))
        {
            throw new BackupFailedException($"{targetPath} is the database itself (or one of its files); choose another file.");
        }
        if (Directory.Exists(targetPath))
        {
            throw new BackupFailedException($"{targetPath} is a folder; give the backup's file name, e.g. {Path.Combine(targetPath, "ssechat.db")}.");
        }
        if (File.Exists(targetPath) && !force)
        {
            throw new BackupFailedException($"{targetPath} already exists; pass --force to replace it.");
        }

        var folder = Path.GetDirectoryName(targetPath)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            throw new BackupFailedException($"cannot create the folder {folder}: {failure.Message}", failure);
        }

        var temporary = Path.Combine(folder, $".{Path.GetFileName(targetPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            CopyDatabase(source.ToString(), temporary);
            var contents = Inspect(temporary);
            try
            {
                // Without --force this fails rather than replace a file that appeared meanwhile.
                File.Move(temporary, targetPath, overwrite: force);
            }
            catch (IOException) when (!force && File.Exists(targetPath))
            {
                throw new BackupFailedException($"{targetPath} already exists; pass --force to replace it.");
            }
            return Report(sourcePath, targetPath, new FileInfo(targetPath).Length, contents);
        }
        finally
        {
            DeleteIfPresent(temporary);
            DeleteIfPresent(temporary + "-journal");
        }
    }

    private static void CopyDatabase(string sourceConnectionString, string temporary)
    {
        using var source = new SqliteConnection(sourceConnectionString);
        try
        {
            source.Open();
        }
        catch (SqliteException failure)
        {
            throw new BackupFailedException($"cannot open the database {source.DataSource}: {failure.Message}", failure);
        }

        using var copy = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = temporary,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            copy.Open();
            Execute(copy, "PRAGMA synchronous=FULL;");
        }
        catch (SqliteException failure)
        {
            throw new BackupFailedException(
                $"cannot write in the folder {Path.GetDirectoryName(temporary)}: {failure.Message}", failure);
        }

        // One step: a consistent snapshot, see the remarks above. A busy source is waited for (Default Timeout).
        source.BackupDatabase(copy);

        RenewEpoch(copy);

        // The pages carry the source's WAL flag; a backup is one plain file, so switch it to a rollback journal.
        // (The app switches a restored file back to WAL when it starts on it.)
        var mode = Execute(copy, "PRAGMA journal_mode=DELETE;");
        if (!string.Equals(mode, "delete", StringComparison.OrdinalIgnoreCase))
        {
            throw new BackupFailedException($"the copy stayed in journal mode '{mode}'.");
        }
    }

    /// <summary>
    /// Whoever restores the copy restores an older history than the one browsers may have seen since: a new epoch
    /// makes their pages start afresh instead of resuming into other events (docs/protocol.md). A database from before
    /// the epoch existed has none to renew; the migration that adds it draws one when the copy is restored.
    /// </summary>
    private static void RenewEpoch(SqliteConnection copy)
    {
        if (Execute(copy, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'DatabaseEpochs';") != "1")
        {
            return;
        }
        var current = long.TryParse(
            Execute(copy, $"SELECT Epoch FROM DatabaseEpochs WHERE Id = {DatabaseEpoch.SingleRowId};"),
            NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch) ? epoch : -1;
        using var command = copy.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO DatabaseEpochs (Id, Epoch) VALUES ($id, $epoch);";
        command.Parameters.AddWithValue("$id", DatabaseEpoch.SingleRowId);
        command.Parameters.AddWithValue("$epoch", DatabaseEpoch.DrawOtherThan(current));
        command.ExecuteNonQuery();
    }

    private sealed record Contents(IReadOnlyList<(string Slug, long LastSeq)> Rooms, long Events);

    /// <summary>Checks the copy and reads what it holds: what the command prints is what the file contains.</summary>
    private static Contents Inspect(string file)
    {
        using var copy = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        copy.Open();

        var integrity = Execute(copy, "PRAGMA integrity_check;");
        if (integrity != "ok")
        {
            throw new BackupFailedException($"the copy failed PRAGMA integrity_check: {integrity}");
        }
        if (Execute(copy, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('Rooms', 'RoomEvents');") != "2")
        {
            throw new BackupFailedException("the database holds no SseChat rooms (tables Rooms and RoomEvents are missing).");
        }

        var rooms = new List<(string, long)>();
        using (var command = copy.CreateCommand())
        {
            command.CommandText = "SELECT Slug, LastSeq FROM Rooms ORDER BY Slug;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rooms.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }
        var events = long.Parse(Execute(copy, "SELECT count(*) FROM RoomEvents;")!, CultureInfo.InvariantCulture);
        return new Contents(rooms, events);
    }

    private static string Report(string sourcePath, string targetPath, long size, Contents contents)
    {
        var report = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        report.AppendLine(culture, $"Backed up {sourcePath}");
        report.AppendLine(culture, $"Wrote {targetPath}: {size} bytes, integrity ok");
        foreach (var (slug, lastSeq) in contents.Rooms)
        {
            report.AppendLine(culture, $"Room {slug}: last seq {lastSeq}");
        }
        report.AppendLine(culture, $"Total: {contents.Rooms.Count} rooms, {contents.Events} events");
        return report.ToString();
    }

    private static string? Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void DeleteIfPresent(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            // Best effort: the hidden temporary file is named after the backup, so an operator can spot it.
        }
    }

    private sealed class BackupFailedException(string message, Exception? inner = null) : Exception(message, inner);
}
