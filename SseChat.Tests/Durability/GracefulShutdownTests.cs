using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;
using Xunit.Abstractions;

using static SseChat.Tests.Infrastructure.SeqRange;

namespace SseChat.Tests.Durability;

/// <summary>
/// SIGTERM (systemd's stop, a deploy): open streams end cleanly and at once, so browsers reconnect to the next
/// instance instead of hanging; posts in flight either get 201 and are stored, or fail cleanly (503 or no answer)
/// and are not stored; the process exits by itself with code 0.
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper log) : ServerProcessTests("ssechat-sigterm-")
{
    private const string Room = "general";

    [Fact]
    public async Task SIGTERM_ends_streams_cleanly_and_answers_every_post_in_flight_truthfully()
    {
        const int posters = 4;
        const int terminateAfterAcknowledged = 60;
        var server = await StartServerAsync();

        var subscribers = new List<SseSubscriber>();
        for (var i = 0; i < 3; i++)
        {
            subscribers.Add(await SseSubscriber.ConnectAsync(server.BaseAddress, Room, after: "0"));
        }
        // One stream read raw, to tell a clean end (the last chunk, then EOF) from a cut connection.
        using var raw = new HttpClient { BaseAddress = server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var rawResponse = await raw.GetAsync("stream/general?after=0", HttpCompletionOption.ResponseHeadersRead);
        var rawEnd = ReadToCleanEndAsync(await rawResponse.Content.ReadAsStreamAsync());

        var acknowledged = new ConcurrentQueue<ChatMessage>();
        var refused = new ConcurrentQueue<string>();   // 503: the server said it did not store them
        var unanswered = new ConcurrentQueue<string>(); // no answer: stored or not, nobody was told otherwise
        var acknowledgedCount = 0;
        var terminateNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task PostUntilTheServerIsGoneAsync(int poster)
        {
            using var client = server.CreateChatClient();
            await client.GetComposeFormAsync(Room);
            for (var i = 0; i < 2_000; i++)
            {
                var text = $"poster {poster} message {i}";
                try
                {
                    using var response = await client.PostMessageAsync(Room, $"p{poster}", text);
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        refused.Enqueue(text);
                        continue; // a browser would retry later: keep going until the server is gone
                    }
                    Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                    acknowledged.Enqueue((await response.Content.ReadFromJsonAsync<ChatMessage>())!);
                    if (Interlocked.Increment(ref acknowledgedCount) == terminateAfterAcknowledged)
                    {
                        terminateNow.TrySetResult();
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or TaskCanceledException)
                {
                    unanswered.Enqueue(text);
                    return;
                }
            }
        }

        var posting = Task.WhenAll(Enumerable.Range(0, posters).Select(p => Task.Run(() => PostUntilTheServerIsGoneAsync(p))));
        await Task.WhenAny(terminateNow.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(terminateNow.Task.IsCompleted, $"only {acknowledgedCount} posts were acknowledged");

        server.Terminate();

        foreach (var subscriber in subscribers)
        {
            Assert.True(await subscriber.EndsWithinAsync(TimeSpan.FromSeconds(10)), "a stream outlived SIGTERM");
        }
        Assert.True(await rawEnd.WaitAsync(TimeSpan.FromSeconds(10)), "the stream was cut rather than ended cleanly");
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the server did not exit after SIGTERM");
        Assert.Equal(0, server.ExitCode);
        await posting.WaitAsync(TimeSpan.FromSeconds(30));
        log.WriteLine($"{acknowledged.Count} acknowledged, {refused.Count} refused with 503, {unanswered.Count} unanswered.");

        var restarted = await StartServerAsync();
        using var reader = restarted.CreateChatClient();
        var stored = await reader.GetWholeHistoryAsync(Room);
        Assert.Equal(Seqs(1, stored.Count), stored.Select(m => m.Seq));
        var storedBySeq = stored.ToDictionary(m => m.Seq);
        Assert.All(acknowledged, ack => Assert.Equal(ack, storedBySeq.GetValueOrDefault(ack.Seq)));
        var storedTexts = stored.Select(m => m.Text).ToHashSet();
        Assert.All(refused, text => Assert.DoesNotContain(text, storedTexts));
        // Anything else stored was a post whose answer the shutdown cut off: at most one per poster.
        Assert.InRange(stored.Count - acknowledged.Count, 0, posters);
        Assert.All(stored.Where(m => !acknowledged.Contains(m)), m => Assert.Contains(m.Text, unanswered));

        foreach (var subscriber in subscribers)
        {
            await subscriber.DisposeAsync();
        }
    }

    /// <summary>True when the body ends as a response should (EOF after the last chunk), false if it is cut.</summary>
    private static async Task<bool> ReadToCleanEndAsync(Stream body)
    {
        var buffer = new byte[8192];
        try
        {
            while (await body.ReadAsync(buffer) > 0)
            {
            }
            return true;
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            return false;
        }
    }
}
