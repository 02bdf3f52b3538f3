using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// A real nginx (Debian's package, installed by test.sh) as a child process in the foreground, serving the site
/// configuration given on 127.0.0.1. Everything it writes (pid file, logs, temp files) stays in its own temp folder;
/// <see cref="Dispose"/> ends it, and only it, by its process id.
/// </summary>
public sealed class NginxProcess : IDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly Lock outputGate = new();

    private NginxProcess(Process process, DirectoryInfo folder)
    {
        this.process = process;
        Folder = folder;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
    }

    /// <summary>The prefix folder: nginx.conf, the site, the certificates, logs and temp files.</summary>
    public DirectoryInfo Folder { get; }

    public int ProcessId { get; private set; }

    /// <summary>nginx's error log so far (where it reports e.g. "upstream timed out"), plus what it printed.</summary>
    public string ErrorLog
    {
        get
        {
            var path = Path.Combine(Folder.FullName, "error.log");
            string log;
            try
            {
                using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                log = reader.ReadToEnd();
            }
            catch (FileNotFoundException)
            {
                log = "";
            }
            lock (outputGate)
            {
                return log + output;
            }
        }
    }

    /// <summary>Ports on 127.0.0.1 that nothing listens on right now, for the site's listen lines.</summary>
    public static int[] FreeLoopbackPorts(int count)
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

    /// <summary>
    /// Writes a main configuration around <paramref name="site"/> (which goes inside <c>http { }</c>, as a file in
    /// Debian's sites-enabled/ does), starts nginx with it and returns once every port in
    /// <paramref name="listenPorts"/> accepts connections.
    /// </summary>
    /// <param name="folder">The prefix folder, which may already hold files the site refers to (certificates).</param>
    /// <param name="capacity">worker_connections and worker_rlimit_nofile; 1024 and nginx's default when not given.</param>
    public static async Task<NginxProcess> StartAsync(
        DirectoryInfo folder, string site, IReadOnlyCollection<int> listenPorts, NginxCapacity? capacity = null)
    {
        var sitePath = Path.Combine(folder.FullName, "site.conf");
        await File.WriteAllTextAsync(sitePath, site);
        var configPath = Path.Combine(folder.FullName, "nginx.conf");
        await File.WriteAllTextAsync(configPath, MainConfiguration(folder.FullName, sitePath, capacity ?? new NginxCapacity(1024, null)));

        var startInfo = new ProcessStartInfo(Executable())
        {
            WorkingDirectory = folder.FullName,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // -e: errors before the configuration is read also go to the folder, not to /var/log/nginx.
        foreach (var argument in new[] { "-p", folder.FullName + "/", "-e", "error.log", "-c", configPath, "-g", "daemon off;" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var nginx = new NginxProcess(new Process { StartInfo = startInfo }, folder);
        try
        {
            await nginx.StartCoreAsync(listenPorts);
            return nginx;
        }
        catch
        {
            nginx.Dispose();
            throw;
        }
    }

    private async Task StartCoreAsync(IReadOnlyCollection<int> listenPorts)
    {
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {process.StartInfo.FileName}.");
        }
        ProcessId = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        var waiting = listenPorts.ToList();
        while (waiting.Count > 0)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"nginx (pid {ProcessId}) exited with code {process.ExitCode} during start-up.\n{ErrorLog}");
            }
            if (deadline.Elapsed > StartupTimeout)
            {
                throw new TimeoutException(
                    $"nginx (pid {ProcessId}) did not listen on {string.Join(", ", waiting)} within {StartupTimeout.TotalSeconds:0} s.\n{ErrorLog}");
            }
            using var probe = new TcpClient();
            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await probe.ConnectAsync(IPAddress.Loopback, waiting[0], attempt.Token);
                waiting.RemoveAt(0);
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>
    /// The test's own main configuration: one worker, everything nginx writes inside <paramref name="folder"/>, and
    /// gzip switched on for event streams too, as a site-wide setting might, so that the site must opt out of it.
    /// </summary>
    private static string MainConfiguration(string folder, string sitePath, NginxCapacity capacity)
    {
        // Run as root (this machine's CI is), nginx would hand requests to workers running as "nobody", who cannot
        // enter a private temp folder to write the proxy's temp files.
        var user = Environment.UserName == "root" ? "user root;" : "";
        var openFiles = capacity.WorkerOpenFiles is { } files ? $"worker_rlimit_nofile {files};" : "";
        return string.Create(CultureInfo.InvariantCulture, $$"""
            {{user}}
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log notice;
            {{openFiles}}

            events {
                worker_connections {{capacity.WorkerConnections}};
            }

            http {
                access_log {{folder}}/access.log;
                client_body_temp_path {{folder}}/client_body_temp;
                proxy_temp_path {{folder}}/proxy_temp;
                fastcgi_temp_path {{folder}}/fastcgi_temp;
                uwsgi_temp_path {{folder}}/uwsgi_temp;
                scgi_temp_path {{folder}}/scgi_temp;

                gzip on;
                gzip_types text/event-stream application/json;

                include {{sitePath}};
            }
            """);
    }

    /// <summary>nginx from PATH, else Debian's /usr/sbin/nginx (not on a non-root PATH).</summary>
    private static string Executable()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin"))
        {
            var candidate = Path.Combine(folder, "nginx");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("nginx is not installed: ./test.sh installs it (apt-get install nginx).");
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int processId, int signal);

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
    }

    /// <summary>
    /// Ends nginx by its process id and waits for it: SIGTERM first, on which the master stops its worker and waits
    /// for it; SIGKILL to the master and its worker if that does not work in time.
    /// </summary>
    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                if (Kill(ProcessId, SigTerm) != 0 || !process.WaitForExit(ExitTimeout))
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(ExitTimeout);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or exited in between: nothing left to stop.
        }
        process.Dispose();
    }
}

/// <summary>How many connections one nginx worker may hold, and the open files it may have (null: nginx's default).</summary>
public sealed record NginxCapacity(int WorkerConnections, int? WorkerOpenFiles);
