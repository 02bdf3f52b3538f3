using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server (Debian's package, installed by test.sh) of its own in a temp folder: data directory,
/// Unix socket and log all inside it, TCP on 127.0.0.1 at a free port, trust authentication for loopback only.
/// <see cref="Shared"/> is one server for the whole test process, started on first use; every test takes a fresh
/// database of it (<see cref="CreateDatabase"/>). A test that stops or restarts a server takes its own
/// (<see cref="StartNew"/>) so it does not pull the database from under every other test running at the time.
/// Each server is stopped by its postmaster's process id when disposed or when the test process exits.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string Superuser = "postgres";

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(90);
    private static readonly Lazy<PostgresServer> SharedServer = new(StartNew, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lock LiveGate = new();
    private static readonly List<PostgresServer> Live = [];
    private static int databaseCounter;

    private readonly DirectoryInfo folder;
    private readonly string binaries;
    private int disposed;

    static PostgresServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAllLive();

    private PostgresServer(DirectoryInfo folder, string binaries, int port)
    {
        this.folder = folder;
        this.binaries = binaries;
        Port = port;
    }

    /// <summary>The test process's server, started on first use and stopped when the process exits.</summary>
    public static PostgresServer Shared => SharedServer.Value;

    public int Port { get; }

    /// <summary>The postmaster's process id (it changes with a restart).</summary>
    public int PostmasterPid { get; private set; }

    private string DataDirectory => Path.Combine(folder.FullName, "data");

    private string LogPath => Path.Combine(folder.FullName, "postgres.log");

    /// <summary>What the server logged so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            try
            {
                using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                return reader.ReadToEnd();
            }
            catch (FileNotFoundException)
            {
                return "";
            }
        }
    }

    /// <summary>The superuser on the maintenance database, without pooling (a restart breaks pooled connections).</summary>
    public string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = "postgres",
        Username = Superuser,
        Pooling = false,
        Timeout = 15,
    }.ConnectionString;

    /// <summary>A server of the caller's own, for tests that stop or restart it. Dispose it at the end of the test.</summary>
    public static PostgresServer StartNew()
    {
        var binaries = LocateBinaries();
        var folder = Directory.CreateTempSubdirectory("ssechat-postgres-");
        // SIGQUIT is PostgreSQL's immediate shutdown; postmaster.pid is gone once the server stopped cleanly.
        var pidFile = OrphanGuard.Quote(Path.Combine(folder.FullName, "data", "postmaster.pid"));
        OrphanGuard.Start($"""
            if [ -f {pidFile} ]; then kill -QUIT "$(head -n 1 {pidFile})"; sleep 2; fi
            rm -rf {OrphanGuard.Quote(folder.FullName)}
            """);
        try
        {
            var socketDirectory = Directory.CreateDirectory(Path.Combine(folder.FullName, "socket"));
            if (Environment.IsPrivilegedProcess)
            {
                // PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
                RunOrThrow("chown", ["-R", $"{Superuser}:{Superuser}", folder.FullName], folder.FullName, ToolTimeout);
            }
            // --no-sync: only the initial cluster skips fsync; the server itself runs with fsync on.
            RunToolOrThrow(binaries, "initdb",
                ["-D", Path.Combine(folder.FullName, "data"), "-U", Superuser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
                folder.FullName);
            var dataDirectory = Path.Combine(folder.FullName, "data");
            // Writing the files initdb made keeps their owner.
            File.WriteAllText(Path.Combine(dataDirectory, "pg_hba.conf"), """
                local all all trust
                host  all all 127.0.0.1/32 trust
                """ + "\n");

            // A port found free can be taken before the server binds it: try another then.
            const int attempts = 3;
            for (var attempt = 1; ; attempt++)
            {
                var port = NginxProcess.FreeLoopbackPorts(1)[0];
                File.AppendAllText(Path.Combine(dataDirectory, "postgresql.conf"), string.Create(CultureInfo.InvariantCulture, $"""

                    # SseChat tests (a later line wins)
                    listen_addresses = '127.0.0.1'
                    port = {port}
                    unix_socket_directories = '{socketDirectory.FullName}'
                    max_connections = 300
                    shared_buffers = 32MB
                    fsync = on
                    synchronous_commit = on
                    full_page_writes = on

                    """));
                var server = new PostgresServer(folder, binaries, port);
                var (exitCode, output) = server.RunPgCtl(["start", "-w", "-t", "60", "-l", server.LogPath]);
                if (exitCode == 0)
                {
                    server.ReadPostmasterPid();
                    server.Register();
                    return server;
                }
                if (attempt == attempts || !server.Log.Contains("could not bind", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"PostgreSQL did not start (pg_ctl exit code {exitCode}).\n{output}\n{server.Log}");
                }
            }
        }
        catch
        {
            StopLeftover(folder, binaries);
            throw;
        }
    }

    /// <summary>Creates an empty database and returns a connection string to it, as the app takes it.</summary>
    /// <param name="prefix">Readable start of the database name, e.g. the test class.</param>
    public string CreateDatabase(string? prefix = null)
    {
        var name = DatabaseName(prefix);
        using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            create.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Database = name,
            Username = Superuser,
            // Many apps run at once, each with a pool of its own: keep each pool small and let idle connections go
            // soon, so that together they stay well under max_connections.
            Pooling = true,
            MaxPoolSize = 30,
            ConnectionIdleLifetime = 15,
            Timeout = 15,
            CommandTimeout = 30,
        }.ConnectionString;
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing whatever is still connected.</summary>
    public void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database
            ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));
        using var connection = new NpgsqlConnection(AdminConnectionString);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\" WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row of <paramref name="sql"/>, on a connection of its own.</summary>
    public static long QueryScalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Runs <paramref name="sql"/> (one or more statements) on a connection of its own.</summary>
    public static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary><c>pg_ctl restart -m fast</c>: connections are closed, committed data stays, the port stays.</summary>
    public async Task RestartAsync()
    {
        await RunPgCtlOrThrowAsync(["restart", "-m", "fast", "-w", "-t", "60", "-l", LogPath]);
        ReadPostmasterPid();
    }

    /// <summary><c>pg_ctl stop -m fast</c>, for outage tests; <see cref="StartAsync"/> brings it back on the same port.</summary>
    public async Task StopAsync()
    {
        await RunPgCtlOrThrowAsync(["stop", "-m", "fast", "-w", "-t", "60"]);
        PostmasterPid = 0;
    }

    public async Task StartAsync()
    {
        await RunPgCtlOrThrowAsync(["start", "-w", "-t", "60", "-l", LogPath]);
        ReadPostmasterPid();
    }

    /// <summary>Stops the server at once (<c>pg_ctl stop -m immediate</c>, else SIGKILL) and deletes its folder.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        lock (LiveGate)
        {
            Live.Remove(this);
        }
        StopLeftover(folder, binaries);
    }

    private static void StopAllLive()
    {
        PostgresServer[] servers;
        lock (LiveGate)
        {
            servers = [.. Live];
        }
        foreach (var server in servers)
        {
            server.Dispose();
        }
    }

    private void Register()
    {
        lock (LiveGate)
        {
            Live.Add(this);
        }
    }

    private static void StopLeftover(DirectoryInfo folder, string binaries)
    {
        var pidFile = Path.Combine(folder.FullName, "data", "postmaster.pid");
        if (File.Exists(pidFile))
        {
            var pid = ReadPid(pidFile);
            var stopped = false;
            try
            {
                var (exitCode, _) = RunTool(binaries, "pg_ctl",
                    ["stop", "-D", Path.Combine(folder.FullName, "data"), "-m", "immediate", "-w", "-t", "10"],
                    folder.FullName, TimeSpan.FromSeconds(15));
                stopped = exitCode == 0;
            }
            catch (TimeoutException)
            {
                // SIGKILL below.
            }
            if (!stopped && pid > 0)
            {
                UnixSignal.Send(pid, UnixSignal.Kill);
            }
        }
        try
        {
            folder.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temp folder left behind is harmless; failing the test run over it is not.
        }
    }

    private void ReadPostmasterPid() => PostmasterPid = ReadPid(Path.Combine(DataDirectory, "postmaster.pid"));

    private static int ReadPid(string pidFile)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(pidFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            return int.TryParse(reader.ReadLine(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private static string DatabaseName(string? prefix)
    {
        var readable = new StringBuilder();
        foreach (var c in (prefix ?? "test").ToLowerInvariant())
        {
            if (readable.Length == 30)
            {
                break;
            }
            readable.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }
        var number = Interlocked.Increment(ref databaseCounter);
        // Unique across test processes too, which may share a server's name space only by accident (they never
        // share a server), and within PostgreSQL's 63-byte limit.
        return string.Create(CultureInfo.InvariantCulture, $"{readable}_{number}_{Guid.NewGuid().ToString("N")[..12]}");
    }

    private (int ExitCode, string Output) RunPgCtl(IReadOnlyList<string> arguments) =>
        RunTool(binaries, "pg_ctl", [.. arguments, "-D", DataDirectory], folder.FullName, ToolTimeout);

    private async Task RunPgCtlOrThrowAsync(IReadOnlyList<string> arguments)
    {
        var (exitCode, output) = await Task.Run(() => RunPgCtl(arguments));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl {string.Join(' ', arguments)} failed with exit code {exitCode}.\n{output}\n{Log}");
        }
    }

    /// <summary>initdb and pg_ctl run as the postgres user when the tests run as root, else as the tests' user.</summary>
    private static (int ExitCode, string Output) RunTool(
        string binaries, string tool, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var path = Path.Combine(binaries, tool);
        return Environment.IsPrivilegedProcess
            ? Run("runuser", ["-u", Superuser, "--", path, .. arguments], workingDirectory, timeout)
            : Run(path, arguments, workingDirectory, timeout);
    }

    private static void RunToolOrThrow(string binaries, string tool, IReadOnlyList<string> arguments, string workingDirectory)
    {
        var (exitCode, output) = RunTool(binaries, tool, arguments, workingDirectory, ToolTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed with exit code {exitCode}.\n{output}");
        }
    }

    private static void RunOrThrow(string program, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var (exitCode, output) = Run(program, arguments, workingDirectory, timeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed with exit code {exitCode}.\n{output}");
        }
    }

    private static (int ExitCode, string Output) Run(
        string program, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        // Only the arguments decide which server a tool talks to.
        foreach (var name in new[] { "PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD" })
        {
            startInfo.Environment.Remove(name);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s.");
        }
        return (process.ExitCode, output.GetAwaiter().GetResult() + errors.GetAwaiter().GetResult());
    }

    /// <summary>The newest installed PostgreSQL's bin folder, e.g. /usr/lib/postgresql/15/bin.</summary>
    private static string LocateBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var newest = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Folder: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(c => c.Version >= 0 && File.Exists(Path.Combine(c.Folder, "initdb")))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Folder)
                .FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException(
            $"No PostgreSQL under {root}/<version>/bin (initdb, pg_ctl). Run ./test.sh, which installs Debian's postgresql.");
    }
}
