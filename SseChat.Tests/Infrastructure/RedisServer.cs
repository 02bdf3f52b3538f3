using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// A real redis-server (Debian's package, installed by test.sh) as a child process on 127.0.0.1 at a free port, with
/// no persistence, its working folder a temp folder of its own. <see cref="Shared"/> serves the whole test process;
/// a test that kills, restarts or freezes Redis takes its own (<see cref="StartNew"/>). Stopped by its process id when
/// disposed or when the test process exits, and thawed first if frozen.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The longest a test may keep Redis frozen; it is thawed then whatever the test does.</summary>
    public static readonly TimeSpan MaxFreeze = TimeSpan.FromSeconds(60);

    private static readonly Lazy<RedisServer> SharedServer = new(StartNew, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lock LiveGate = new();
    private static readonly List<RedisServer> Live = [];

    private readonly DirectoryInfo folder;
    private readonly Lock gate = new();
    private readonly StringBuilder output = new();
    private Process? process;
    private Timer? thawTimer;
    private bool disposed;

    static RedisServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAllLive();

    private RedisServer(DirectoryInfo folder, int port)
    {
        this.folder = folder;
        Port = port;
    }

    /// <summary>The test process's server, started on first use and stopped when the process exits.</summary>
    public static RedisServer Shared => SharedServer.Value;

    public int Port { get; }

    /// <summary>As StackExchange.Redis and <c>ConnectionStrings:Redis</c> take it.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The running redis-server's process id; 0 while killed.</summary>
    public int ProcessId { get; private set; }

    private const string PidFileName = "redis.pid";

    private string PidFile => Path.Combine(folder.FullName, PidFileName);

    /// <summary>What redis-server printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>A server of the caller's own. Dispose it at the end of the test.</summary>
    public static RedisServer StartNew()
    {
        var folder = Directory.CreateTempSubdirectory("ssechat-redis-");
        // The pid file is ours (written at each start, deleted at each kill), so it never names a process that is
        // not this server.
        var pidFile = OrphanGuard.Quote(Path.Combine(folder.FullName, PidFileName));
        OrphanGuard.Start($"""
            if [ -f {pidFile} ]; then pid="$(cat {pidFile})"; kill -CONT "$pid"; kill -KILL "$pid"; fi
            rm -rf {OrphanGuard.Quote(folder.FullName)}
            """);
        // A port found free can be taken before redis-server binds it: try another then.
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(folder, NginxProcess.FreeLoopbackPorts(1)[0]);
            try
            {
                server.StartProcess();
                server.Register();
                return server;
            }
            catch (InvalidOperationException) when (attempt < attempts && server.Output.Contains("Address already in use", StringComparison.Ordinal))
            {
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }
    }

    /// <summary>SIGKILL: the server is gone at once, with every connection and key.</summary>
    public void Kill()
    {
        lock (gate)
        {
            var running = process ?? throw new InvalidOperationException("Redis is not running.");
            StopThawTimer();
            running.Kill();
            if (!running.WaitForExit(ExitTimeout))
            {
                throw new TimeoutException($"redis-server (pid {ProcessId}) was sent SIGKILL but had not exited after {ExitTimeout.TotalSeconds:0} s.");
            }
            running.Dispose();
            process = null;
            ProcessId = 0;
            File.Delete(PidFile);
        }
    }

    /// <summary>Kills the server if it runs, and starts a new one, empty, on the same port.</summary>
    public void Restart()
    {
        lock (gate)
        {
            if (process is not null)
            {
                Kill();
            }
            StartProcess();
        }
    }

    /// <summary>
    /// SIGSTOP: the server keeps its connections but answers nothing, like a hung or partitioned Redis. Thawed when
    /// the returned handle is disposed, by <see cref="Thaw"/>, after <see cref="MaxFreeze"/>, or when disposed.
    /// </summary>
    public IDisposable Freeze()
    {
        lock (gate)
        {
            var pid = ProcessId != 0 ? ProcessId : throw new InvalidOperationException("Redis is not running.");
            StopThawTimer();
            thawTimer = new Timer(_ => Thaw(), null, MaxFreeze, Timeout.InfiniteTimeSpan);
            if (!UnixSignal.Send(pid, UnixSignal.Stop))
            {
                StopThawTimer();
                throw new InvalidOperationException($"SIGSTOP could not be sent to redis-server (pid {pid}).");
            }
            return new Thawing(this);
        }
    }

    /// <summary>SIGCONT: a frozen server answers again (and what it was sent while frozen).</summary>
    public void Thaw()
    {
        lock (gate)
        {
            StopThawTimer();
            if (ProcessId != 0)
            {
                UnixSignal.Send(ProcessId, UnixSignal.Continue);
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }
            disposed = true;
            if (process is not null)
            {
                Thaw();
                Kill();
            }
        }
        lock (LiveGate)
        {
            Live.Remove(this);
        }
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; failing the test run over it is not.
        }
    }

    private static void DisposeAllLive()
    {
        RedisServer[] servers;
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

    private void StartProcess()
    {
        var startInfo = new ProcessStartInfo("redis-server")
        {
            WorkingDirectory = folder.FullName,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--dir", folder.FullName, "--daemonize", "no",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }
        var started = new Process { StartInfo = startInfo };
        started.OutputDataReceived += (_, e) => OnLine(e.Data);
        started.ErrorDataReceived += (_, e) => OnLine(e.Data);
        if (!started.Start())
        {
            throw new InvalidOperationException("Could not start redis-server.");
        }
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        process = started;
        ProcessId = started.Id;
        File.WriteAllText(PidFile, ProcessId.ToString(CultureInfo.InvariantCulture));

        var deadline = DateTime.UtcNow + StartupTimeout;
        while (!AnswersPing())
        {
            if (started.HasExited)
            {
                process = null;
                ProcessId = 0;
                File.Delete(PidFile);
                throw new InvalidOperationException($"redis-server exited with code {started.ExitCode} during start-up.\n{Output}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"redis-server (pid {ProcessId}) did not answer PING within {StartupTimeout.TotalSeconds:0} s.\n{Output}");
            }
            Thread.Sleep(20);
        }
    }

    /// <summary>Whether the server answers PING with PONG now, in RESP on a connection of its own.</summary>
    public bool AnswersPing(TimeSpan? timeout = null)
    {
        var limit = (int)(timeout ?? TimeSpan.FromSeconds(1)).TotalMilliseconds;
        try
        {
            using var client = new TcpClient { SendTimeout = limit, ReceiveTimeout = limit };
            if (!client.ConnectAsync(IPAddress.Loopback, Port).Wait(limit))
            {
                return false;
            }
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var reply = new byte[7];
            var read = 0;
            while (read < reply.Length)
            {
                var n = stream.Read(reply, read, reply.Length - read);
                if (n == 0)
                {
                    return false;
                }
                read += n;
            }
            return reply.AsSpan().SequenceEqual("+PONG\r\n"u8);
        }
        catch (Exception e) when (e is SocketException or IOException or AggregateException)
        {
            return false;
        }
    }

    private void StopThawTimer()
    {
        thawTimer?.Dispose();
        thawTimer = null;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private sealed class Thawing(RedisServer server) : IDisposable
    {
        public void Dispose() => server.Thaw();
    }
}
