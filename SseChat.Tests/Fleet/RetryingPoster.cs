using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using SseChat.Web.Chat;

namespace SseChat.Tests.Fleet;

/// <summary>
/// Posts the way the room page's outgoing queue does: each message with its own clientMessageId, sent again with the
/// same id after a refusal that says "try again" (503), a proxy's 502 or a broken connection, until it is stored.
/// </summary>
public static class RetryingPoster
{
    private const int MaxAttempts = 100;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>One post's outcome: the message as stored, and every failed attempt's status (0: no response at all).</summary>
    public sealed record Outcome(ChatMessage Message, IReadOnlyList<int> FailedAttempts, TimeSpan FirstAttemptTook);

    /// <param name="clientFor">The client of the n-th attempt (0 first), e.g. alternating between nodes.</param>
    public static async Task<Outcome> PostAsync(
        Func<int, Infrastructure.ChatClient> clientFor, string slug, string author, string text, string clientMessageId)
    {
        var failures = new List<int>();
        TimeSpan? firstTook = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await clientFor(attempt).PostMessageAsync(slug, author, text, clientMessageId);
                firstTook ??= clock.Elapsed;
                // 201: stored now; 200: stored by an earlier attempt whose answer was lost.
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                {
                    var message = (await response.Content.ReadFromJsonAsync<ChatMessage>())!;
                    return new Outcome(message, failures, firstTook.Value);
                }
                Assert.True(
                    response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway,
                    $"Posting {text} was answered {(int)response.StatusCode}, which is neither stored nor retryable: {await response.Content.ReadAsStringAsync()}");
                failures.Add((int)response.StatusCode);
            }
            catch (HttpRequestException)
            {
                firstTook ??= clock.Elapsed;
                failures.Add(0);
            }
            await Task.Delay(RetryDelay);
        }
        throw new InvalidOperationException($"Posting {text} failed {MaxAttempts} times in a row: {string.Join(", ", failures)}.");
    }
}
