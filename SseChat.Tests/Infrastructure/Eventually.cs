using System.Diagnostics;

namespace SseChat.Tests.Infrastructure;

/// <summary>Waits, polling, for what the server does on its own time (a drop, a release) to become true.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Returns once <paramref name="condition"/> holds; fails the test with <paramref name="what"/> after the timeout.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < limit, $"Timed out after {limit}: {what}.");
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>As above, for a condition that has to ask something (a request, a query) each time.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < limit, $"Timed out after {limit}: {what}.");
            await Task.Delay(PollInterval);
        }
    }
}
