using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// Cleans up after this test process when it ends without running its exit handlers (killed by a hang timeout, by
/// Ctrl-C twice, by SIGKILL): a tiny <c>sh</c> that waits for this process to be gone and then runs a clean-up
/// script. Servers that daemonize (PostgreSQL) or would outlive their parent (redis-server) would otherwise keep
/// running, one more per aborted run, on a machine shared with others.
/// </summary>
internal static class OrphanGuard
{
    // Bounds the wait; no test run lasts a day.
    private const int MaxWaitSeconds = 24 * 60 * 60;

    /// <param name="cleanupScript">sh commands run once this process has ended; their output goes nowhere.</param>
    public static void Start(string cleanupScript)
    {
        var script = $$"""
            exec </dev/null >/dev/null 2>&1
            i=0
            while [ "$i" -lt {{MaxWaitSeconds}} ] && kill -0 {{Environment.ProcessId}}; do sleep 1; i=$((i+1)); done
            {{cleanupScript}}
            """;
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            // Pipes of its own (never read), so it holds none of the test runner's output open.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(script);
        using var guard = Process.Start(startInfo)
            ?? throw new InvalidOperationException("Could not start /bin/sh for the orphan guard.");
    }

    /// <summary>Single-quotes a path for sh.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>kill(2) on one process id: .NET's Process can only send SIGKILL.</summary>
internal static class UnixSignal
{
    public const int Kill = 9;
    public const int Term = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    /// <summary>Sends <paramref name="signal"/>; false if the process is gone (or the signal was refused).</summary>
    public static bool Send(int pid, int signal) => SendSignal(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendSignal(int pid, int signal);
}
