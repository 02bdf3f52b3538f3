using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SseChat.Bench.Load;

namespace SseChat.Bench.Orchestration;

/// <summary>
/// Where the parts of a PostgreSQL + Redis stack run. The load keeps core 1 whatever the machine. On a machine of
/// fewer than 4 cores everything on the server's side shares core 0, the one core SseChat on SQLite gets, so the
/// comparison is at equal hardware: it measures what PostgreSQL, Redis, nginx and a second node cost, not what they
/// buy. From 4 cores on, the fleet's nodes get a core each (0 and 2) and PostgreSQL, Redis and nginx core 3; the one
/// node on PostgreSQL keeps sharing core 0 with them, as SQLite's node has its database in its own process.
/// </summary>
internal sealed record StackCores(int[] Nodes, int Support)
{
    public static StackCores For(string kind, int machineCores) => kind == ServerKinds.SseChatFleet
        ? machineCores >= 4 ? new StackCores([0, 2], 3) : new StackCores([0, 0], 0)
        : new StackCores([0], 0);
}

/// <summary>
/// SseChat as a fleet's node runs it: on a PostgreSQL database and the Redis backplane, each started fresh for this
/// server's session and stopped by PID with it. One node answers directly; two nodes stand behind nginx.
/// </summary>
internal sealed class SseChatStack : IServerUnderTest
{
    private readonly List<IAsyncDisposable> started = [];
    private readonly List<ServerProcess> nodes = [];
    private PostgresCluster? postgres;
    private RedisProcess? redis;
    private NginxFront? nginx;

    public Uri BaseUrl => nginx?.BaseUrl ?? nodes[0].BaseUrl;

    /// <summary>The nodes and nginx: they hold the connections; PostgreSQL and Redis hold nothing per subscriber.</summary>
    public long ResidentBytes => nodes.Sum(n => n.ResidentBytes) + (nginx is null ? 0 : ProcessTree.ResidentBytes(nginx.Pid));

    public TimeSpan CpuTime => nodes.Aggregate(TimeSpan.Zero, (sum, n) => sum + n.CpuTime)
        + (nginx is null ? TimeSpan.Zero : ProcessTree.CpuTime(nginx.Pid))
        + (redis is null ? TimeSpan.Zero : ProcessTree.CpuTime(redis.Pid))
        + (postgres is null ? TimeSpan.Zero : ProcessTree.CpuTime(postgres.Pid));

    public static async Task<SseChatStack> StartAsync(string kind, BenchOptions options, int port, string scratch)
    {
        var cores = StackCores.For(kind, MachineDescription.Cores);
        var stack = new SseChatStack();
        try
        {
            stack.postgres = await stack.Track(PostgresCluster.StartAsync(cores.Support, scratch));
            stack.redis = await stack.Track(RedisProcess.StartAsync(cores.Support, scratch, port));
            var storage = new Dictionary<string, string>
            {
                ["Database__Provider"] = "Postgres",
                ["ConnectionStrings__Chat"] = stack.postgres.ConnectionString,
                ["Backplane__Provider"] = "Redis",
                ["ConnectionStrings__Redis"] = stack.redis.Endpoint,
            };
            if (kind == ServerKinds.SseChatPostgres)
            {
                stack.nodes.Add(await stack.Track(ServerProcess.StartSseChatAsync(
                    options, cores.Nodes[0], port, Path.Combine(scratch, $"server-{kind}-{port}.log"), storage)));
                return stack;
            }
            var nodePorts = LoopbackPorts.Free(cores.Nodes.Length);
            // One after the other: the first creates the tables, the second finds them migrated.
            for (var i = 0; i < cores.Nodes.Length; i++)
            {
                stack.nodes.Add(await stack.Track(ServerProcess.StartSseChatAsync(options, cores.Nodes[i], nodePorts[i],
                    Path.Combine(scratch, $"server-{kind}-node{i + 1}-{nodePorts[i]}.log"), storage)));
            }
            stack.nginx = await stack.Track(NginxFront.StartAsync(cores.Support, scratch, port, nodePorts));
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task<T> Track<T>(Task<T> starting) where T : IAsyncDisposable
    {
        var part = await starting;
        started.Add(part);
        return part;
    }

    /// <summary>In the reverse order of starting: the front first, the database last.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = started.Count - 1; i >= 0; i--)
        {
            await started[i].DisposeAsync();
        }
        started.Clear();
    }
}

/// <summary>
/// PostgreSQL 15 from Debian's package (/usr/lib/postgresql/15/bin, not on PATH), a cluster of its own in a temp
/// folder, on 127.0.0.1 at a free port. It refuses to run as root, so as root initdb and pg_ctl run as the postgres
/// user. pg_ctl hands the postmaster to init, so it is stopped by the PID in postmaster.pid, not as a child.
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    private const string Binaries = "/usr/lib/postgresql/15/bin";
    private const string Superuser = "postgres";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo folder;
    private readonly string scratch;

    private PostgresCluster(DirectoryInfo folder, string scratch, int port, int pid)
    {
        this.folder = folder;
        this.scratch = scratch;
        Port = port;
        Pid = pid;
    }

    public int Port { get; }

    /// <summary>The postmaster.</summary>
    public int Pid { get; }

    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"Host=127.0.0.1;Port={Port};Database=ssechat;Username={Superuser}");

    public static async Task<PostgresCluster> StartAsync(int core, string scratch)
    {
        if (!File.Exists(Path.Combine(Binaries, "pg_ctl")))
        {
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({Binaries}): apt-get install postgresql (./test.sh does).");
        }
        // Not inside the bench's scratch folder: CreateTempSubdirectory makes folders only their owner may enter,
        // and the postgres user must enter this one.
        var folder = Directory.CreateTempSubdirectory("ssechat-bench-postgres-");
        var data = Path.Combine(folder.FullName, "data");
        var socket = Directory.CreateDirectory(Path.Combine(folder.FullName, "socket")).FullName;
        try
        {
            if (Environment.IsPrivilegedProcess)
            {
                await Tool.RunAsync(["chown", "-R", $"{Superuser}:{Superuser}", folder.FullName], ToolTimeout);
            }
            // --no-sync only skips flushing the fresh cluster's files once; the server itself runs with fsync on.
            await Tool.RunAsync(AsPostgres(Path.Combine(Binaries, "initdb"),
                "-D", data, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"), ToolTimeout);
            var port = LoopbackPorts.Free(1)[0];
            // The same promise as SQLite's synchronous=FULL: a commit (and so a 201) returns once its WAL is on
            // disk. These are PostgreSQL's defaults; they are written out so nobody tunes them away for a better figure.
            await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), string.Create(CultureInfo.InvariantCulture, $"""

                # SseChat benchmark (a later line wins)
                listen_addresses = '127.0.0.1'
                port = {port}
                unix_socket_directories = '{socket}'
                max_connections = 300
                fsync = on
                synchronous_commit = on
                full_page_writes = on

                """));
            await Tool.RunAsync(["taskset", "-c", core.ToString(CultureInfo.InvariantCulture),
                .. AsPostgres(Path.Combine(Binaries, "pg_ctl"), "start", "-w", "-t", "60", "-D", data,
                    "-l", Path.Combine(folder.FullName, "postgres.log"))], ToolTimeout);
            var pid = int.Parse((await File.ReadAllLinesAsync(Path.Combine(data, "postmaster.pid")))[0], CultureInfo.InvariantCulture);
            // SIGQUIT: PostgreSQL's immediate shutdown, which also ends every backend.
            Pinned.Adopt(pid, Pinned.SigQuit, () => DeleteFolder(folder));
            // The app migrates its database but does not create it (docs/configuration.md).
            await Tool.RunAsync([Path.Combine(Binaries, "createdb"), "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture),
                "-U", Superuser, "ssechat"], ToolTimeout);
            return new PostgresCluster(folder, scratch, port, pid);
        }
        catch
        {
            // A postmaster that came up (or did, but not in pg_ctl's time) must not outlive a failed start.
            if (File.Exists(Path.Combine(data, "postmaster.pid"))
                && int.TryParse(File.ReadLines(Path.Combine(data, "postmaster.pid")).FirstOrDefault(), CultureInfo.InvariantCulture, out var leftover)
                && leftover > 0)
            {
                Pinned.Signal(leftover, Pinned.SigQuit);
                await ProcessTree.WaitForExitAsync(leftover, StopTimeout);
                Pinned.Release(leftover);
            }
            DeleteFolder(folder);
            throw;
        }
    }

    private static string[] AsPostgres(string tool, params string[] arguments) => Environment.IsPrivilegedProcess
        ? ["runuser", "-u", Superuser, "--", tool, .. arguments]
        : [tool, .. arguments];

    /// <summary>SIGINT (PostgreSQL's fast shutdown) to the postmaster; SIGKILL if it is not gone in time.</summary>
    public async ValueTask DisposeAsync()
    {
        Pinned.Signal(Pid, Pinned.SigInt);
        if (!await ProcessTree.WaitForExitAsync(Pid, StopTimeout))
        {
            Pinned.Signal(Pid, Pinned.SigKill);
            await ProcessTree.WaitForExitAsync(Pid, StopTimeout);
        }
        Pinned.Release(Pid);
        var log = Path.Combine(folder.FullName, "postgres.log");
        if (File.Exists(log))
        {
            File.Copy(log, Path.Combine(scratch, $"postgres-{Port}.log"), overwrite: true);
        }
        DeleteFolder(folder);
    }

    private static void DeleteFolder(DirectoryInfo folder)
    {
        try
        {
            folder.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temp folder left behind is harmless; failing the run over it is not.
        }
    }
}

/// <summary>redis-server on 127.0.0.1 at a free port, as the tests run it: nothing saved, nothing appended.</summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process process;

    private RedisProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => process.Id;

    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public static async Task<RedisProcess> StartAsync(int core, string scratch, int benchPort)
    {
        var port = LoopbackPorts.Free(1)[0];
        var process = Pinned.Start(core, scratch, ["redis-server", "--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", scratch]);
        Pinned.LogTo(process, Path.Combine(scratch, $"redis-{benchPort}.log"), includeStdout: true);
        var redis = new RedisProcess(process, port);
        try
        {
            await LoopbackPorts.WaitUntilListeningAsync(port, process, "redis-server");
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
        return redis;
    }

    public async ValueTask DisposeAsync()
    {
        await Pinned.StopAsync(process);
        process.Dispose();
    }
}

/// <summary>
/// nginx in front of the fleet's nodes: round robin without stickiness, keep-alive to the nodes, streams unbuffered,
/// as deploy/nginx's site does, over plain HTTP on loopback (TLS and HTTP/2 at the edge would measure nginx's
/// TLS, which SseChat on SQLite is not given either). One worker, pinned with the nodes' support processes.
/// </summary>
internal sealed class NginxFront : IAsyncDisposable
{
    private readonly Process process;

    private NginxFront(Process process, Uri baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>The master; its worker is its child.</summary>
    public int Pid => process.Id;

    public static async Task<NginxFront> StartAsync(int core, string scratch, int port, IReadOnlyList<int> nodePorts)
    {
        var folder = Directory.CreateDirectory(Path.Combine(scratch, $"nginx-{port}")).FullName;
        var configuration = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(configuration, Configuration(folder, port, nodePorts));
        var process = Pinned.Start(core, folder, [Executable(), "-p", folder + "/", "-e", "error.log", "-c", configuration, "-g", "daemon off;"]);
        Pinned.LogTo(process, Path.Combine(scratch, $"nginx-{port}.log"), includeStdout: true);
        var front = new NginxFront(process, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/")));
        try
        {
            await LoopbackPorts.WaitUntilListeningAsync(port, process, "nginx");
        }
        catch
        {
            await front.DisposeAsync();
            throw;
        }
        return front;
    }

    /// <summary>
    /// The bench's own site rather than deploy/nginx/'s: the load speaks plain HTTP/1.1 to loopback, and a few
    /// loopback addresses stand for thousands of browsers, so the site's TLS, HTTP/2 and per-address stream limit
    /// would not apply. What matters for the measurement is kept: no stickiness, keep-alive to the nodes, streams
    /// neither buffered nor compressed, <c>proxy_next_upstream error timeout</c>.
    /// </summary>
    private static string Configuration(string folder, int port, IReadOnlyList<int> nodePorts)
    {
        // Run as root, nginx would hand requests to workers running as "nobody", who cannot enter the scratch folder.
        var user = Environment.IsPrivilegedProcess ? "user root;" : "";
        var servers = string.Join("\n        ", nodePorts.Select(p => string.Create(CultureInfo.InvariantCulture, $"server 127.0.0.1:{p};")));
        return string.Create(CultureInfo.InvariantCulture, $$"""
            {{user}}
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log warn;
            # Two connections per stream (the browser's and the one to a node): 19,000 subscribers need 38,000. The
            # master, as root, raises the worker's limit beyond the bench's own.
            worker_rlimit_nofile 65536;

            events {
                worker_connections 60000;
            }

            http {
                # A line per request would be the bench measuring nginx's disk writes.
                access_log off;
                client_body_temp_path {{folder}}/client_body_temp;
                proxy_temp_path {{folder}}/proxy_temp;
                fastcgi_temp_path {{folder}}/fastcgi_temp;
                uwsgi_temp_path {{folder}}/uwsgi_temp;
                scgi_temp_path {{folder}}/scgi_temp;

                upstream ssechat_fleet {
                    {{servers}}
                    keepalive 32;
                }

                server {
                    listen 127.0.0.1:{{port}};
                    client_max_body_size 64k;

                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host              $host;
                    proxy_set_header X-Forwarded-For   $remote_addr;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_set_header X-Forwarded-Host  $host;
                    proxy_next_upstream error timeout;

                    location /stream/ {
                        proxy_pass http://ssechat_fleet;
                        proxy_buffering off;
                        proxy_cache off;
                        proxy_read_timeout 60s;
                        proxy_connect_timeout 5s;
                    }

                    location / {
                        proxy_pass http://ssechat_fleet;
                        proxy_connect_timeout 5s;
                        proxy_send_timeout 30s;
                        proxy_read_timeout 30s;
                    }
                }
            }
            """);
    }

    /// <summary>nginx from PATH, else Debian's /usr/sbin/nginx (not on a non-root PATH).</summary>
    private static string Executable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Select(folder => Path.Combine(folder, "nginx"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("nginx is not installed: apt-get install nginx (./test.sh does).");

    /// <summary>SIGTERM (nginx's fast shutdown: the master ends its worker, then itself), SIGKILL if it hangs.</summary>
    public async ValueTask DisposeAsync()
    {
        await Pinned.StopAsync(process);
        process.Dispose();
    }
}

internal static class LoopbackPorts
{
    /// <summary>Ports on 127.0.0.1 that nothing listens on right now.</summary>
    public static int[] Free(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    public static async Task WaitUntilListeningAsync(int port, Process process, string name)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode}; see its log.");
            }
            using var probe = new TcpClient();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await probe.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                return;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"{name} did not listen on {port} in 30 s.");
    }
}

/// <summary>A short-lived tool (initdb, pg_ctl, createdb, chown), its output kept for the error message.</summary>
internal static class Tool
{
    public static async Task RunAsync(IReadOnlyList<string> command, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', command)} did not finish in {timeout.TotalSeconds:F0} s.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{string.Join(' ', command)} failed with exit code {process.ExitCode}.\n{await output}\n{await error}");
        }
    }
}

/// <summary>
/// CPU time and resident memory of a process and its children from /proc: PostgreSQL's backends and nginx's worker
/// are children of the PIDs the bench knows. A child that has exited and been waited for is in its parent's cutime.
/// </summary>
internal static class ProcessTree
{
    // USER_HZ, the unit of /proc's times: 100 on every Linux the bench runs on.
    private const double TicksPerSecond = 100;

    public static TimeSpan CpuTime(int pid)
    {
        double ticks = 0;
        foreach (var stat in Tree(pid))
        {
            // Fields 14 to 17: utime, stime, cutime, cstime.
            ticks += long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture)
                + long.Parse(stat[13], CultureInfo.InvariantCulture) + long.Parse(stat[14], CultureInfo.InvariantCulture);
        }
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    public static long ResidentBytes(int pid)
    {
        long bytes = 0;
        foreach (var id in Tree(pid).Select(stat => int.Parse(stat[^1], CultureInfo.InvariantCulture)))
        {
            var line = ReadOrNull($"/proc/{id}/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is not null)
            {
                bytes += 1024 * long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        return bytes;
    }

    /// <summary>Gone or a zombie: the postmaster is not the bench's child, so init reaps it.</summary>
    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stat(pid) is { } stat && stat[0] != "Z")
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }
            await Task.Delay(100);
        }
        return true;
    }

    /// <summary>The stat fields after the command (field 3 on, index 0), with the PID appended last.</summary>
    private static string[]? Stat(int pid)
    {
        var text = ReadOrNull($"/proc/{pid}/stat");
        return text is null ? null : [.. text[(text.LastIndexOf(')') + 2)..].Trim().Split(' '), pid.ToString(CultureInfo.InvariantCulture)];
    }

    private static IEnumerable<string[]> Tree(int pid)
    {
        if (Stat(pid) is not { } own)
        {
            yield break;
        }
        yield return own;
        var parent = pid.ToString(CultureInfo.InvariantCulture);
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var child)
                && child != pid && Stat(child) is { } stat && stat[1] == parent)
            {
                yield return stat;
            }
        }
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
