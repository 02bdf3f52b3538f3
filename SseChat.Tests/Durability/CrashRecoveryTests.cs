using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;
using Xunit.Abstractions;

using static SseChat.Tests.Infrastructure.SeqRange;

namespace SseChat.Tests.Durability;

/// <summary>
/// Invariant 3: a message that got its 201 is on disk. The server runs as its own OS process and dies by SIGKILL,
/// so nothing graceful runs (no shutdown, no queue drain, no checkpoint); a new process on the same file must serve
/// every acknowledged message unchanged, keep seqs contiguous and resume streams exactly where clients left off.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper log) : ServerProcessTests("ssechat-crash-")
{
    private const string Room = "general";

    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Acknowledged_posts_survive_a_SIGKILL_and_streams_resume_without_gap_or_duplicate()
    {
        const int posters = 4;
        const int firstPhaseEach = 5;   // 20 messages the subscriber reads before the rest are posted
        const int secondPhaseEach = 10; // 40 more, posted while it stays connected
        const long total = posters * (firstPhaseEach + secondPhaseEach);
        const long readThrough = posters * firstPhaseEach;
        var clock = Stopwatch.StartNew();

        var first = await StartServerAsync();
        var acknowledged = new List<ChatMessage>();
        string resumeFrom;
        long liveReceivedThrough;
        await using (var live = await SseSubscriber.ConnectAsync(first.BaseAddress, Room, after: "0"))
        {
            acknowledged.AddRange(await PostConcurrentlyAsync(first, posters, firstPhaseEach, "early"));
            var seen = await ReadMessagesExactlyThroughAsync(live, readThrough);
            Assert.Equal(Seqs(1, readThrough), seen.Select(m => m.Seq));
            Assert.Equal(readThrough.ToString(CultureInfo.InvariantCulture), live.LastEventId);
            resumeFrom = live.LastEventId!;

            acknowledged.AddRange(await PostConcurrentlyAsync(first, posters, secondPhaseEach, "late"));
            // The last 201 is in: kill -9 at once, while the stream is open and nothing has been shut down.
            first.Kill();
            log.WriteLine($"{clock.Elapsed.TotalSeconds:0.00} s: {acknowledged.Count} posts acknowledged, pid {first.ProcessId} SIGKILLed.");

            Assert.True(await live.EndsWithinAsync(TimeSpan.FromSeconds(10)), "The live stream outlived its server.");
            // Whatever reached this client before the kill is a gap-free run after what it had read.
            var tail = await DrainMessagesAsync(live);
            liveReceivedThrough = tail.Count == 0 ? readThrough : tail[^1].Seq;
            Assert.Equal(Seqs(readThrough + 1, liveReceivedThrough), tail.Select(m => m.Seq));
            Assert.Equal(liveReceivedThrough.ToString(CultureInfo.InvariantCulture), live.LastEventId);
        }
        AssertKilledBySigkill(first);
        // On SQLite the last commits were only in the write-ahead log when the process died: the restart must recover
        // them. (PostgreSQL's server outlives the app, so there it is the server's commit that must hold.)
        Assert.True(Database.IsPostgres || new FileInfo(DatabasePath + "-wal") is { Exists: true, Length: > 0 },
            "The kill left no write-ahead log.");

        // Every 201 carried a distinct seq, and together they are exactly 1..N.
        var acknowledgedBySeq = acknowledged.OrderBy(m => m.Seq).ToList();
        Assert.Equal(Seqs(1, total), acknowledgedBySeq.Select(m => m.Seq));

        var second = await StartServerAsync();
        log.WriteLine($"{clock.Elapsed.TotalSeconds:0.00} s: restarted as pid {second.ProcessId} at {second.BaseAddress}.");

        // (a) Every acknowledged message is served as acknowledged: same seq, author, text and sentAt; 1..N, no holes.
        var history = await GetWholeHistoryAsync(second, pageLimit: 200);
        Assert.Equal(acknowledgedBySeq, history);

        // (b) A client that had read through seq 20 reconnects (EventSource sends Last-Event-ID to the same URL) and
        // gets exactly 21..N in order; so does the live client from wherever the kill cut it off.
        await using var resumed = await SseSubscriber.ConnectAsync(second.BaseAddress, Room, lastEventId: resumeFrom, after: "0");
        var missed = await ReadMessagesExactlyThroughAsync(resumed, total);
        Assert.Equal(acknowledgedBySeq.Where(m => m.Seq > readThrough), missed);
        await using var liveResumed = await SseSubscriber.ConnectAsync(
            second.BaseAddress,
            Room,
            lastEventId: liveReceivedThrough.ToString(CultureInfo.InvariantCulture),
            after: "0");

        // (c) Posting continues at N+1, and the next event on each resumed stream is exactly that message: nothing
        // was replayed twice or left out before it.
        using var client = second.CreateChatClient();
        var next = await client.SendAsync(Room, "after-restart", "first message after the crash");
        Assert.Equal(total + 1, next.Seq);
        Assert.Equal([next], await ReadMessagesExactlyThroughAsync(resumed, total + 1));
        var liveMissed = await ReadMessagesExactlyThroughAsync(liveResumed, total + 1);
        Assert.Equal([.. acknowledgedBySeq.Where(m => m.Seq > liveReceivedThrough), next], liveMissed);

        log.WriteLine(
            $"{clock.Elapsed.TotalSeconds:0.00} s: {history.Count} messages recovered; resumed after {resumeFrom} " +
            $"({missed.Count} replayed) and after {liveReceivedThrough} (live client at the kill).");
    }

    [Fact]
    public async Task Posts_in_flight_when_killed_are_either_stored_or_never_acknowledged()
    {
        const int posters = 8;
        const int maxPostsEach = 500;
        const int killAfterAcknowledged = 150;
        var clock = Stopwatch.StartNew();

        var server = await StartServerAsync();
        var sent = new ConcurrentDictionary<string, string>(); // text -> author, of every post attempted
        var acknowledged = new ConcurrentQueue<ChatMessage>();
        var unacknowledged = 0;
        var acknowledgedCount = 0;
        var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task PostUntilTheServerDiesAsync(int poster)
        {
            using var client = server.CreateChatClient();
            var author = $"racer-{poster}";
            for (var i = 0; i < maxPostsEach; i++)
            {
                var text = $"in flight {poster}/{i}";
                sent[text] = author;
                ChatMessage? stored;
                try
                {
                    using var response = await client.PostMessageAsync(Room, author, text);
                    // While the server lives every answer is a 201; once it is dead there are no answers at all.
                    Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                    stored = await response.Content.ReadFromJsonAsync<ChatMessage>();
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
                {
                    // No complete 201 arrived: the post was never acknowledged. It may or may not be stored.
                    Interlocked.Increment(ref unacknowledged);
                    return;
                }
                Assert.NotNull(stored);
                Assert.Equal((author, text), (stored.Author, stored.Text));
                acknowledged.Enqueue(stored);
                if (Interlocked.Increment(ref acknowledgedCount) == killAfterAcknowledged)
                {
                    killNow.TrySetResult();
                }
            }
        }

        var racers = Enumerable.Range(0, posters).Select(p => Task.Run(() => PostUntilTheServerDiesAsync(p))).ToArray();
        var all = Task.WhenAll(racers);
        await Task.WhenAny(killNow.Task, all, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(killNow.Task.IsCompleted, $"Only {acknowledgedCount} posts were acknowledged before the kill was due.");
        // Eight posters are mid-request: some posts are queued, some in a transaction, some answers on the wire.
        server.Kill();
        AssertKilledBySigkill(server);
        await all.WaitAsync(TimeSpan.FromSeconds(60));
        log.WriteLine(
            $"{clock.Elapsed.TotalSeconds:0.00} s: SIGKILL after {acknowledged.Count} acknowledged posts; " +
            $"{unacknowledged} posts got no answer.");

        var restarted = await StartServerAsync();
        var stored = await GetWholeHistoryAsync(restarted, pageLimit: 50); // several pages: M is well over 100
        var storedCount = (long)stored.Count;

        // The room's sequence is 1..M with no hole, and M covers at least every acknowledged post.
        Assert.Equal(Seqs(1, storedCount), stored.Select(m => m.Seq));
        Assert.True(storedCount >= acknowledged.Count, $"{storedCount} messages stored but {acknowledged.Count} acknowledged.");

        // Every acknowledged post is stored exactly as its 201 said.
        var storedBySeq = stored.ToDictionary(m => m.Seq);
        Assert.All(acknowledged, ack => Assert.Equal(ack, storedBySeq.GetValueOrDefault(ack.Seq)));

        // Nothing else was invented or stored twice: each stored message is one post that was really sent.
        Assert.All(stored, m => Assert.Equal(m.Author, sent.GetValueOrDefault(m.Text)));
        Assert.Equal(stored.Count, stored.Select(m => m.Text).Distinct().Count());

        // And the restarted server goes on from M.
        using var client = restarted.CreateChatClient();
        var next = await client.SendAsync(Room, "after-restart", "first message after the crash");
        Assert.Equal(storedCount + 1, next.Seq);

        log.WriteLine(
            $"{clock.Elapsed.TotalSeconds:0.00} s: {storedCount} stored = {acknowledged.Count} acknowledged + " +
            $"{storedCount - acknowledged.Count} committed whose 201 never arrived.");
    }

    private static void AssertKilledBySigkill(ChatServerProcess server)
    {
        Assert.True(server.HasExited);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(128 + 9, server.ExitCode); // terminated by signal 9, not exited on its own
        }
    }

    /// <summary>Several browser-like clients post at once, each its own distinct texts; every post must get 201.</summary>
    private static async Task<List<ChatMessage>> PostConcurrentlyAsync(
        ChatServerProcess server, int posters, int postsEach, string phase)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, posters).Select(poster => Task.Run(async () =>
        {
            using var client = server.CreateChatClient();
            var author = $"poster-{poster}";
            var messages = new List<ChatMessage>(postsEach);
            for (var i = 0; i < postsEach; i++)
            {
                var text = $"{phase} message {i} from poster {poster}";
                var message = await client.SendAsync(Room, author, text);
                Assert.Equal((author, text), (message.Author, message.Text));
                messages.Add(message);
            }
            return messages;
        })));
        return [.. results.SelectMany(m => m)];
    }

    /// <summary>
    /// Reads events up to and including seq <paramref name="lastSeq"/>, insisting that every one is a message (no
    /// reset, nothing else) and that none lies beyond it.
    /// </summary>
    private static async Task<List<ChatMessage>> ReadMessagesExactlyThroughAsync(SseSubscriber subscriber, long lastSeq)
    {
        var deadline = DateTime.UtcNow + StreamTimeout;
        var messages = new List<ChatMessage>();
        while (messages.Count == 0 || messages[^1].Seq < lastSeq)
        {
            var remaining = deadline - DateTime.UtcNow;
            var item = await subscriber.NextAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            Assert.Equal(SseFrames.MessageEventType, item.EventType);
            messages.Add(SseSubscriber.ParseMessage(item));
        }
        Assert.Equal(lastSeq, messages[^1].Seq);
        return messages;
    }

    /// <summary>The messages left in a stream that has ended.</summary>
    private static async Task<List<ChatMessage>> DrainMessagesAsync(SseSubscriber subscriber)
    {
        var messages = new List<ChatMessage>();
        for (var i = 0; i < 10_000; i++)
        {
            try
            {
                var item = await subscriber.NextAsync(TimeSpan.FromSeconds(5));
                Assert.Equal(SseFrames.MessageEventType, item.EventType);
                messages.Add(SseSubscriber.ParseMessage(item));
            }
            catch (EndOfStreamException)
            {
                return messages;
            }
        }
        throw new InvalidOperationException("The ended stream held more events than were ever posted.");
    }

    private static async Task<List<ChatMessage>> GetWholeHistoryAsync(ChatServerProcess server, int pageLimit)
    {
        using var client = server.CreateChatClient();
        return await client.GetWholeHistoryAsync(Room, pageLimit);
    }
}
