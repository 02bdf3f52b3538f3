using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using SseChat.Bench.Load;

namespace SseChat.Bench.Orchestration;

/// <summary>Starts child processes pinned to a core with <c>taskset</c>; they are always stopped by their PID.</summary>
internal static class Pinned
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Process> Running = new();

    static Pinned()
    {
        // Ctrl+C or a SIGTERM to the bench must not leave servers behind: each child is ended by its own PID.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        Signals = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillAll()),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => KillAll())];
    }

    private static PosixSignalRegistration[] Signals { get; }

    /// <summary>
    /// Processes the bench started but that are not its children (PostgreSQL's postmaster), with the signal that ends
    /// them and what to clean up once they are gone (their temp folder).
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, (int Signal, Action? Afterwards)> Adopted = new();

    private static void KillAll()
    {
        foreach (var process in Running.Values)
        {
            try
            {
                if (!process.HasExited)
                {
                    // The whole tree: nginx's master would leave its worker behind.
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }
        foreach (var (pid, (signal, _)) in Adopted)
        {
            _ = SendSignal(pid, signal);
        }
        foreach (var (pid, (_, afterwards)) in Adopted)
        {
            // Bounded: an interrupted bench must still exit if a process does not go.
            if (ProcessTree.WaitForExitAsync(pid, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult())
            {
                afterwards?.Invoke();
            }
        }
    }

    /// <summary>
    /// Has <paramref name="pid"/> sent <paramref name="signal"/>, then <paramref name="afterwards"/> run, if the bench is
    /// interrupted before <see cref="Release"/>.
    /// </summary>
    public static void Adopt(int pid, int signal, Action? afterwards = null) => Adopted[pid] = (signal, afterwards);

    public static void Release(int pid) => Adopted.TryRemove(pid, out _);

    public const int SigInt = 2;
    public const int SigQuit = 3;
    public const int SigKill = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendSignal(int pid, int signal);

    public static bool Signal(int pid, int signal) => SendSignal(pid, signal) == 0;

    public static Process Start(int core, string workingDirectory, IEnumerable<string> command,
        IReadOnlyDictionary<string, string>? environment = null, bool redirectInput = false)
    {
        var start = new ProcessStartInfo("taskset")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(core.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var argument in command)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        // taskset execs the program, so this PID is the program's own.
        var process = Process.Start(start) ?? throw new InvalidOperationException("taskset did not start.");
        Running[process.Id] = process;
        process.Exited += (_, _) => Running.TryRemove(process.Id, out _);
        return process;
    }

    /// <summary>The bench program itself, to be run in another mode.</summary>
    public static string[] Self(params string[] arguments) =>
        ["dotnet", Path.Combine(AppContext.BaseDirectory, "SseChat.Bench.dll"), .. arguments];

    public static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }
        // SIGTERM first, so ASP.NET Core shuts down as it would under systemd; SIGKILL if it does not end.
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Copies a child's output into a log file so a full pipe never blocks it.</summary>
    public static void LogTo(Process process, string file, bool includeStdout)
    {
        var writer = new StreamWriter(file, append: true) { AutoFlush = true };
        var gate = new Lock();
        var closed = false;
        void Write(string? line)
        {
            lock (gate)
            {
                // The last lines may still be delivered after Exited has closed the file: they are dropped.
                if (line is not null && !closed)
                {
                    writer.WriteLine(line);
                }
            }
        }
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginErrorReadLine();
        if (includeStdout)
        {
            process.OutputDataReceived += (_, e) => Write(e.Data);
            process.BeginOutputReadLine();
        }
        process.Exited += (_, _) =>
        {
            lock (gate)
            {
                closed = true;
                writer.Dispose();
            }
        };
        process.EnableRaisingEvents = true;
    }
}

/// <summary>What the scenarios see of a server: its address, and what it costs while they run.</summary>
internal interface IServerUnderTest : IAsyncDisposable
{
    Uri BaseUrl { get; }

    /// <summary>Resident memory of the processes that hold the subscribers' connections.</summary>
    long ResidentBytes { get; }

    /// <summary>CPU time of every process on the server's side.</summary>
    TimeSpan CpuTime { get; }
}

/// <summary>A server under test, on core 0.</summary>
internal sealed class ServerProcess : IServerUnderTest
{
    private readonly Process process;

    private ServerProcess(Process process, Uri baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<IServerUnderTest> StartAsync(string kind, BenchOptions options, int port, string scratch)
    {
        if (kind is ServerKinds.SseChatPostgres or ServerKinds.SseChatFleet)
        {
            return await SseChatStack.StartAsync(kind, options, port, scratch);
        }
        var url = $"http://127.0.0.1:{port}";
        if (kind == ServerKinds.SseChat)
        {
            var database = Path.Combine(scratch, $"ssechat-{port}.db");
            foreach (var file in Directory.GetFiles(scratch, $"ssechat-{port}.db*"))
            {
                File.Delete(file); // a fresh database every time
            }
            return await StartSseChatAsync(options, core: 0, port, Path.Combine(scratch, $"server-{kind}-{port}.log"),
                new Dictionary<string, string> { ["ConnectionStrings__Chat"] = $"Data Source={database}" });
        }
        var process = Pinned.Start(0, AppContext.BaseDirectory,
            Pinned.Self(kind == ServerKinds.Memory ? "serve-memory" : "serve-signalr", "--urls", url),
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        Pinned.LogTo(process, Path.Combine(scratch, $"server-{kind}-{port}.log"), includeStdout: true);
        var server = new ServerProcess(process, new Uri(url + "/"));
        await server.WaitUntilHealthyAsync();
        return server;
    }

    /// <summary>The published SseChat.Web on <paramref name="core"/>, with <paramref name="storage"/> naming its database (and backplane).</summary>
    public static async Task<ServerProcess> StartSseChatAsync(
        BenchOptions options, int core, int port, string logFile, IReadOnlyDictionary<string, string> storage)
    {
        var url = $"http://127.0.0.1:{port}";
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = url,
            // The load comes from a few loopback addresses, each standing for thousands of browsers, so the
            // per-client limits (sized for one person or one office) and the total stream cap are raised as
            // an operator would for a load test (docs/configuration.md); everything else stays default.
            ["Chat__MaxStreams"] = "50000",
            ["Chat__MaxStreamsPerClient"] = "50000",
            ["RateLimits__StreamPermitLimit"] = "1000000",
            ["RateLimits__PostPermitLimit"] = "1000000",
        };
        foreach (var (name, value) in storage)
        {
            environment[name] = value;
        }
        var process = Pinned.Start(core, options.WebDirectory, ["dotnet", Path.Combine(options.WebDirectory, "SseChat.Web.dll")], environment);
        Pinned.LogTo(process, logFile, includeStdout: true);
        var server = new ServerProcess(process, new Uri(url + "/"));
        try
        {
            await server.WaitUntilHealthyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {process.ExitCode}; see its log.");
            }
            try
            {
                using var response = await http.GetAsync("healthz");
                if (response.IsSuccessStatusCode && !process.HasExited)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The server did not become healthy in 30 s.");
    }

    public long ResidentBytes
    {
        get
        {
            process.Refresh();
            return process.WorkingSet64;
        }
    }

    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Pinned.StopAsync(process);
        process.Dispose();
    }
}

/// <summary>The load processes on core 1, each with its own share of the subscribers and its own source address.</summary>
internal sealed class AgentPool : IAsyncDisposable
{
    private readonly List<(Process Process, SemaphoreSlim Gate)> agents = [];

    public AgentPool(string kind, Uri baseUrl, int count, string sourcePrefix, string scratch)
    {
        for (var i = 0; i < count; i++)
        {
            var process = Pinned.Start(1, AppContext.BaseDirectory,
                Pinned.Self("agent", kind, baseUrl.ToString(), $"{sourcePrefix}.{i + 1}"), redirectInput: true);
            Pinned.LogTo(process, Path.Combine(scratch, $"agent-{kind}-{i}.log"), includeStdout: false);
            agents.Add((process, new SemaphoreSlim(1)));
        }
    }

    public int Count => agents.Count;

    public TimeSpan CpuTime => agents.Aggregate(TimeSpan.Zero, (sum, a) =>
    {
        a.Process.Refresh();
        return sum + a.Process.TotalProcessorTime;
    });

    /// <summary>Sends each agent its command (made from its index) at once and waits for every answer.</summary>
    public Task<AgentReply[]> SendAsync(Func<int, AgentCommand?> commandFor) =>
        Task.WhenAll(agents.Select((agent, i) => commandFor(i) is { } command
            ? SendAsync(agent.Process, agent.Gate, command)
            : Task.FromResult(new AgentReply())));

    public Task<AgentReply[]> SendAllAsync(AgentCommand command) => SendAsync(_ => command);

    /// <summary>Splits <paramref name="total"/> evenly over the agents.</summary>
    public int ShareOf(int total, int index) => total / agents.Count + (index < total % agents.Count ? 1 : 0);

    private static async Task<AgentReply> SendAsync(Process process, SemaphoreSlim gate, AgentCommand command)
    {
        await gate.WaitAsync();
        try
        {
            await process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command, AgentJsonContext.Default.AgentCommand));
            await process.StandardInput.FlushAsync();
            var line = await process.StandardOutput.ReadLineAsync()
                ?? throw new InvalidOperationException("A load process ended; see its log.");
            var reply = JsonSerializer.Deserialize(line, AgentJsonContext.Default.AgentReply)!;
            return reply.Error is { } error ? throw new InvalidOperationException($"Load process failed: {error}") : reply;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (process, gate) in agents)
        {
            process.StandardInput.Close(); // the agent closes its subscribers and exits at end of input
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                await Pinned.StopAsync(process);
            }
            process.Dispose();
            gate.Dispose();
        }
    }
}
