using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// The built app as a separate OS process (<c>dotnet SseChat.Web.dll</c>), in Production, listening on 127.0.0.1 at a
/// port the OS picks, on the database given (a SQLite file, or a PostgreSQL database that several processes may share,
/// e.g. two nodes with <c>Backplane:Provider=Redis</c>). Unlike <see cref="ChatApplication"/> it can die for real:
/// <see cref="Kill"/> sends SIGKILL, so nothing in the app (no shutdown hook, no finally, no flush) runs.
/// </summary>
public sealed partial class ChatServerProcess : IDisposable
{
    public static readonly TimeSpan DefaultStartupTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private const int SigTerm = 15;

    private const string AppName = "SseChat.Web";

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly Lock outputGate = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChatServerProcess(Process process, ChatDatabase database)
    {
        this.process = process;
        Database = database;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
    }

    /// <summary>The server's http://127.0.0.1:port/ address.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public ChatDatabase Database { get; }

    /// <summary>The SQLite file; it throws when the process runs on PostgreSQL.</summary>
    public string DatabasePath => Database.SqlitePath;

    public int ProcessId { get; private set; }

    public bool HasExited => process.HasExited;

    /// <summary>The exit code once exited: 137 (128 + SIGKILL) on Linux after <see cref="Kill"/>.</summary>
    public int ExitCode => process.ExitCode;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (outputGate)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the app on <paramref name="databasePath"/> (created and migrated by the app if new) and returns once it
    /// listens and has started; fails with the captured output if it exits or is not up within the timeout.
    /// </summary>
    /// <param name="settings">Extra configuration, passed as <c>--key=value</c> command-line arguments.</param>
    /// <param name="publishedFolder">
    /// A <c>dotnet publish</c> output to run, in that folder as docs/deploy.md's systemd unit does; by default the
    /// build output, in the project folder as <c>dotnet run</c> does.
    /// </param>
    public static Task<ChatServerProcess> StartAsync(
        string databasePath, IDictionary<string, string>? settings = null, TimeSpan? startupTimeout = null,
        string? publishedFolder = null) =>
        StartAsync(ChatDatabase.Sqlite(databasePath), settings, startupTimeout, publishedFolder);

    /// <summary>
    /// Starts the app on <paramref name="database"/> (migrated by the app at start-up) and returns once it listens
    /// and has started; fails with the captured output if it exits or is not up within the timeout.
    /// </summary>
    /// <param name="settings">
    /// Extra configuration, passed as <c>--key=value</c> command-line arguments, e.g. <c>Backplane:Provider=Redis</c>
    /// and <c>ConnectionStrings:Redis</c>.
    /// </param>
    /// <param name="publishedFolder">A <c>dotnet publish</c> output to run instead of the build output.</param>
    public static async Task<ChatServerProcess> StartAsync(
        ChatDatabase database, IDictionary<string, string>? settings = null, TimeSpan? startupTimeout = null,
        string? publishedFolder = null)
    {
        var (appPath, contentRoot) = publishedFolder is null
            ? LocateApp()
            : (Path.Combine(publishedFolder, AppName + ".dll"), publishedFolder);
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = contentRoot, // the content root: appsettings.json, wwwroot
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(appPath);
        startInfo.ArgumentList.Add("--urls");
        startInfo.ArgumentList.Add("http://127.0.0.1:0");
        // The port is learnt from the "Now listening on" line: keep it logged whatever appsettings.json says.
        startInfo.ArgumentList.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        var environment = startInfo.Environment;
        foreach (var (name, value) in FileWatching.EnvironmentVariables)
        {
            environment[name] = value;
        }
        environment.Remove("DOTNET_ENVIRONMENT");
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        SetDatabase(environment, database);
        // Whatever the test runner's environment says about addresses, --urls alone decides.
        environment.Remove("ASPNETCORE_URLS");
        environment.Remove("DOTNET_URLS");
        environment.Remove("ASPNETCORE_HTTP_PORTS");
        environment.Remove("ASPNETCORE_HTTPS_PORTS");

        var server = new ChatServerProcess(new Process { StartInfo = startInfo }, database);
        try
        {
            await server.StartCoreAsync(startupTimeout ?? DefaultStartupTimeout);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the app as a one-off command (e.g. <c>admin set-password root</c>) on <paramref name="databasePath"/>,
    /// feeding <paramref name="input"/> to its standard input, and returns its exit code and output.
    /// </summary>
    public static Task<(int ExitCode, string Output)> RunCommandAsync(
        string databasePath, IReadOnlyList<string> arguments, string input, TimeSpan? timeout = null) =>
        RunCommandAsync(ChatDatabase.Sqlite(databasePath), arguments, input, timeout);

    /// <summary>
    /// Runs the app as a one-off command on <paramref name="database"/>, feeding <paramref name="input"/> to its
    /// standard input, and returns its exit code and output.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(
        ChatDatabase database, IReadOnlyList<string> arguments, string input, TimeSpan? timeout = null)
    {
        var (appPath, contentRoot) = LocateApp();
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = contentRoot,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(appPath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        SetDatabase(startInfo.Environment, database);
        foreach (var (name, value) in FileWatching.EnvironmentVariables)
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {startInfo.FileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? DefaultStartupTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The command {string.Join(' ', arguments)} did not finish in time.");
        }
        return (process.ExitCode, await output + await errors);
    }

    private async Task StartCoreAsync(TimeSpan timeout)
    {
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {process.StartInfo.FileName}.");
        }
        ProcessId = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var ready = Task.WhenAll(listening.Task, started.Task);
        var finished = await Task.WhenAny(ready, exited, Task.Delay(timeout));
        if (finished == ready)
        {
            BaseAddress = await listening.Task;
            return;
        }
        if (finished == exited)
        {
            throw new InvalidOperationException(
                $"The chat server (pid {ProcessId}) exited with code {process.ExitCode} during start-up.\n{Output}");
        }
        throw new TimeoutException(
            $"The chat server (pid {ProcessId}) did not report listening and started within {timeout.TotalSeconds:0} s.\n{Output}");
    }

    public ChatClient CreateChatClient() => new(BaseAddress);

    /// <summary>Database:Provider and ConnectionStrings:Chat as environment variables, as a systemd unit sets them.</summary>
    private static void SetDatabase(IDictionary<string, string?> environment, ChatDatabase database)
    {
        foreach (var (key, value) in database.Settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
    }

    /// <summary>
    /// SIGKILL, no graceful shutdown, then waits for the process to be gone. Throws if it had already exited, since
    /// then it was not killed at all.
    /// </summary>
    public void Kill()
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException(
                $"The chat server (pid {ProcessId}) had already exited with code {process.ExitCode} before it could be killed.\n{Output}");
        }
        // On Unix this is kill(pid, SIGKILL) for this process (and any child of it): this process only, by its handle.
        process.Kill(entireProcessTree: true);
        if (!process.WaitForExit(ExitTimeout))
        {
            throw new TimeoutException($"The chat server (pid {ProcessId}) was sent SIGKILL but had not exited after {ExitTimeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>
    /// SIGTERM, what systemd and <c>docker stop</c> send: the app shuts down gracefully. Returns at once; see
    /// <see cref="WaitForExitAsync"/>.
    /// </summary>
    public void Terminate()
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException(
                $"The chat server (pid {ProcessId}) had already exited with code {process.ExitCode}.\n{Output}");
        }
        if (SendSignal(ProcessId, SigTerm) != 0)
        {
            throw new InvalidOperationException($"SIGTERM could not be sent to pid {ProcessId} (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>Whether the process exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // kill(2) on this one pid: .NET's Process can only send SIGKILL.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendSignal(int pid, int signal);

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(ExitTimeout);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or exited in between: nothing left to stop.
        }
        process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (outputGate)
        {
            output.AppendLine(line);
        }
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups["address"].Value + "/"));
        }
        else if (line.Contains("Application started.", StringComparison.Ordinal))
        {
            started.TrySetResult();
        }
    }

    [GeneratedRegex(@"Now listening on: (?<address>http://127\.0\.0\.1:[0-9]+)")]
    private static partial Regex ListeningLine();

    /// <summary>The muxer that runs the tests (DOTNET_HOST_PATH, set by the dotnet CLI), else the one on PATH.</summary>
    internal static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }
        if (Environment.ProcessPath is { } processPath
            && Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }
        return "dotnet";
    }

    /// <summary>
    /// SseChat.Web.dll as built beside the tests (the project reference copies it with its runtimeconfig and deps
    /// files), else in SseChat.Web/bin/&lt;Configuration&gt;/&lt;tfm&gt;; and the Web project folder as content root.
    /// </summary>
    private static (string AppPath, string ContentRoot) LocateApp()
    {
        var testOutput = AppContext.BaseDirectory;
        var solution = new DirectoryInfo(testOutput);
        while (solution is not null && !File.Exists(Path.Combine(solution.FullName, "SseChat.sln")))
        {
            solution = solution.Parent;
        }
        if (solution is null)
        {
            throw new InvalidOperationException($"No folder above {testOutput} contains SseChat.sln.");
        }
        var contentRoot = Path.Combine(solution.FullName, AppName);

        var configuration = typeof(ChatServerProcess).Assembly
            .GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var targetFramework = new DirectoryInfo(testOutput).Name;
        string[] candidates =
        [
            testOutput,
            Path.Combine(contentRoot, "bin", configuration, targetFramework),
        ];
        foreach (var folder in candidates)
        {
            var app = Path.Combine(folder, AppName + ".dll");
            if (File.Exists(app)
                && File.Exists(Path.Combine(folder, AppName + ".runtimeconfig.json"))
                && File.Exists(Path.Combine(folder, AppName + ".deps.json")))
            {
                return (app, contentRoot);
            }
        }
        throw new InvalidOperationException(
            $"{AppName}.dll with its runtimeconfig and deps files is in none of: {string.Join(", ", candidates)}. Build the solution first.");
    }
}
