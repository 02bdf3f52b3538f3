using System.Diagnostics;
using System.Globalization;
using System.Net;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;
using Xunit.Abstractions;

namespace SseChat.Tests.Fleet;

/// <summary>
/// Faults of one part of the fleet while clients read and write: a node killed, Redis killed or frozen, notices
/// tampered with, PostgreSQL restarted or stopped. Each test starts a fleet of its own, since it breaks it. Every
/// client must still get every event of its room once, in order, up to the room's LastSeq in PostgreSQL.
/// </summary>
[Collection(OneFleetAtATime.Name)]
public sealed class FleetFaultTests(ITestOutputHelper log)
{
    /// <summary>How long the readers keep listening after the head arrived, so a late duplicate would be caught.</summary>
    private static readonly TimeSpan Settle = ChatFleet.HeadPollInterval * 3;

    /// <summary>
    /// The longest a message committed on one node may take to reach a stream on another without any notice: the head
    /// poll's interval, plus a second for the poll's query, the catch-up read and the write to the stream.
    /// </summary>
    private static readonly TimeSpan WithoutNoticesWithin = ChatFleet.HeadPollInterval + TimeSpan.FromSeconds(1);

    /// <summary>
    /// The slowest POST allowed while Redis is frozen. A POST that awaited Redis would take StackExchange.Redis's
    /// 5 s timeout; one that only commits takes milliseconds, tens on a busy machine.
    /// </summary>
    private static readonly TimeSpan PostBoundWhileRedisFrozen = TimeSpan.FromSeconds(1);

    /// <summary>Waits for the writer to get so far; its own failure, if it stopped, rather than a timeout.</summary>
    private static async Task WaitForWritesAsync(Func<bool> condition, Task writing, string what)
    {
        await Eventually.TrueAsync(() => condition() || writing.IsCompleted, what, TimeSpan.FromSeconds(90));
        if (writing.IsCompleted)
        {
            await writing;
            Assert.True(condition(), $"The writer finished before {what}.");
        }
    }

    [Fact]
    public async Task A_node_killed_mid_stream_and_restarted_costs_clients_through_nginx_nothing_and_a_retried_post_is_stored_once()
    {
        const int messages = 150;
        await using var fleet = await ChatFleet.StartAsync();
        const string room = "crash";
        fleet.CreateRoom(room);

        var readers = new List<ResumingReader>
        {
            ResumingReader.Start("reader on node 1", room, fleet.NodeDoor(1)),
            // On node 0 until it dies, then wherever a reconnect is answered (node 0 is tried again each time).
            ResumingReader.Start("reader on node 0, then either", room, attempt => fleet.NodeDoor(attempt % ChatFleet.NodeCount)),
        };
        readers.AddRange(Enumerable.Range(0, 4).Select(i => ResumingReader.Start($"reader {i} through nginx", room, fleet.ProxyDoor)));
        // Ann reads on node 0; Bob, on node 1, sees her listed.
        var ann = await SseSubscriber.ConnectAsync(fleet.Node(0).BaseAddress, room, visitor: new StreamVisitor("ann-client", "Ann"));
        await using var bob = await SseSubscriber.ConnectAsync(
            fleet.Node(1).BaseAddress, room, visitor: new StreamVisitor("bob-client", "Bob"), includeEphemeral: true);
        try
        {
            foreach (var reader in readers)
            {
                await reader.WaitUntilConnectedAsync();
            }
            await FleetDeliveryTests.WaitForPresenceAsync(bob, online => online.Contains("Ann"), "Ann (node 0) on node 1");

            using var throughNginx = fleet.CreateProxyClient();
            await throughNginx.GetComposeFormAsync(room);
            var outcomes = new List<RetryingPoster.Outcome>();
            var writing = Task.Run(async () =>
            {
                for (var i = 0; i < messages; i++)
                {
                    outcomes.Add(await RetryingPoster.PostAsync(_ => throughNginx, room, "writer", $"m{i}", $"crash-{i}"));
                }
            });

            await WaitForWritesAsync(() => readers[0].Last >= messages / 3, writing, "a third of the posts read");
            fleet.KillNode(0);
            log.WriteLine($"Node 0 killed at about seq {readers[0].Last}.");
            // Its visitors do not stay online: its entries expire from Redis, and node 1 lists Bob alone.
            var clock = Stopwatch.StartNew();
            await FleetDeliveryTests.WaitForPresenceAsync(
                bob, online => !online.Contains("Ann"), "Ann gone after node 0 died",
                ChatFleet.PresenceTtl + ChatFleet.PresenceRefreshInterval + TimeSpan.FromSeconds(10));
            log.WriteLine($"Node 0's visitor left node 1's list {clock.Elapsed.TotalSeconds:0.0} s after the kill.");

            await WaitForWritesAsync(() => readers[0].Last >= 2 * messages / 3, writing, "two thirds of the posts read");
            await fleet.StartNodeAsync(0);
            await writing;

            var head = fleet.LastSeq(room);
            // Every post stored once, whether its first attempt was refused, cut off or answered.
            Assert.Equal(messages, head);
            Assert.Equal(SeqRange.Seqs(1, head), outcomes.Select(o => o.Message.Seq).Order());
            foreach (var reader in readers)
            {
                await reader.WaitForAsync(head);
            }
            await Task.Delay(Settle);
            foreach (var reader in readers)
            {
                reader.AssertExactly(1, head);
            }
            var retried = outcomes.Where(o => o.FailedAttempts.Count > 0).ToList();
            log.WriteLine($"{retried.Count} posts needed a retry: {string.Join("; ", retried.Select(o => $"seq {o.Message.Seq} after {string.Join(",", o.FailedAttempts)}"))}.");
            log.WriteLine($"Reconnects: {string.Join(", ", readers.Select(r => $"{r.Name} {r.Connections - 1}"))}.");
            Assert.True(readers[1].Connections > 1, "The reader on node 0 should have had to reconnect.");

            // A post whose answer was lost, sent again to the other node with the same clientMessageId, is stored once.
            using var onNode0 = fleet.CreateNodeClient(0);
            using var onNode1 = fleet.CreateNodeClient(1);
            var stored = await onNode1.SendAsync(room, "writer", "sent twice", "twice-1");
            using (var again = await onNode0.PostMessageAsync(room, "writer", "sent twice", "twice-1"))
            {
                Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            }
            Assert.Equal(1, fleet.CountMessages(room, "sent twice"));
            Assert.Equal(stored.Seq, fleet.LastSeq(room));
        }
        finally
        {
            await ann.DisposeAsync();
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Redis_killed_restarted_and_frozen_for_five_seconds_keeps_streams_exactly_once_delivery_within_the_poll_and_posts_fast()
    {
        await using var fleet = await ChatFleet.StartAsync();
        const string room = "redis-faults";
        fleet.CreateRoom(room);
        ResumingReader[] readers =
        [
            ResumingReader.Start("reader on node 0", room, fleet.NodeDoor(0)),
            ResumingReader.Start("reader on node 1", room, fleet.NodeDoor(1)),
            ResumingReader.Start("reader through nginx", room, fleet.ProxyDoor),
        ];
        using var onNode0 = fleet.CreateNodeClient(0);
        using var onNode1 = fleet.CreateNodeClient(1);
        ChatClient[] nodeClients = [onNode0, onNode1];
        var posted = 0;
        var postDurations = new List<TimeSpan>();

        // Posts on alternating nodes, each awaited on a stream of the other node within WithoutNoticesWithin.
        async Task PostAcrossAsync(int count, bool timed = false)
        {
            for (var i = 0; i < count; i++)
            {
                var node = posted % 2;
                var clock = Stopwatch.StartNew();
                var message = await nodeClients[node].SendAsync(room, "writer", $"m{posted++}");
                if (timed)
                {
                    postDurations.Add(clock.Elapsed);
                }
                await readers[1 - node].WaitForAsync(message.Seq, WithoutNoticesWithin);
            }
        }

        try
        {
            foreach (var reader in readers)
            {
                await reader.WaitUntilConnectedAsync();
            }
            await PostAcrossAsync(10);

            fleet.Redis.Kill();
            await PostAcrossAsync(10);
            fleet.Redis.Restart();
            await PostAcrossAsync(10);

            var freezeClock = Stopwatch.StartNew();
            using (fleet.Redis.Freeze())
            {
                while (freezeClock.Elapsed < TimeSpan.FromSeconds(5))
                {
                    await PostAcrossAsync(1, timed: true);
                }
            }
            await PostAcrossAsync(10);

            var head = fleet.LastSeq(room);
            Assert.Equal(posted, head);
            foreach (var reader in readers)
            {
                await reader.WaitForAsync(head);
            }
            await Task.Delay(Settle);
            foreach (var reader in readers)
            {
                reader.AssertExactly(1, head);
            }
            var sorted = postDurations.Order().ToList();
            var p99 = sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1];
            log.WriteLine($"{sorted.Count} posts while Redis was frozen: median {sorted[sorted.Count / 2].TotalMilliseconds:0} ms, p99 {p99.TotalMilliseconds:0} ms.");
            Assert.True(sorted.Count >= 3, $"Only {sorted.Count} posts were made while Redis was frozen.");
            Assert.True(p99 < PostBoundWhileRedisFrozen, $"POST p99 while Redis was frozen was {p99.TotalMilliseconds:0} ms.");
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("DropAll", "Duplicate")]
    [InlineData("DropHalf", "Reorder")]
    public async Task Notices_dropped_duplicated_or_reordered_never_cost_a_stream_an_event_nor_delay_it_beyond_the_poll(
        string chaosOnNode0, string chaosOnNode1)
    {
        const int messages = 100;
        await using var fleet = await ChatFleet.StartAsync(perNodeSettings:
        [
            new Dictionary<string, string> { ["Backplane:NoticeChaos"] = chaosOnNode0 },
            new Dictionary<string, string> { ["Backplane:NoticeChaos"] = chaosOnNode1 },
        ]);
        const string room = "chaos";
        fleet.CreateRoom(room);
        ResumingReader[] readers =
        [
            ResumingReader.Start($"reader on node 0 ({chaosOnNode0})", room, fleet.NodeDoor(0)),
            ResumingReader.Start($"reader on node 1 ({chaosOnNode1})", room, fleet.NodeDoor(1)),
            ResumingReader.Start("reader through nginx", room, fleet.ProxyDoor),
        ];
        using var onNode0 = fleet.CreateNodeClient(0);
        using var onNode1 = fleet.CreateNodeClient(1);
        ChatClient[] nodeClients = [onNode0, onNode1];
        try
        {
            foreach (var reader in readers)
            {
                await reader.WaitUntilConnectedAsync();
            }
            // A burst from both nodes at once, where reordered and duplicated notices interleave...
            await Task.WhenAll(nodeClients.Select(async (client, node) =>
            {
                for (var i = 0; i < messages / 2; i++)
                {
                    await client.SendAsync(room, $"writer{node}", $"n{node} m{i}");
                }
            }));
            // ...then single posts, each awaited on the other node's stream: no later than the poll, whatever the notices.
            for (var i = 0; i < 10; i++)
            {
                var node = i % 2;
                var message = await nodeClients[node].SendAsync(room, "writer", $"single {i}");
                await readers[1 - node].WaitForAsync(message.Seq, WithoutNoticesWithin);
            }

            var head = fleet.LastSeq(room);
            Assert.Equal(messages + 10, head);
            foreach (var reader in readers)
            {
                await reader.WaitForAsync(head);
            }
            await Task.Delay(Settle);
            foreach (var reader in readers)
            {
                reader.AssertExactly(1, head);
            }
            Assert.Contains($"Backplane:NoticeChaos is {chaosOnNode0}", fleet.Node(0).Output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task PostgreSQL_restarted_or_stopped_mid_run_refuses_posts_with_a_retryable_503_and_their_retries_are_stored_once()
    {
        const int messages = 100;
        using var postgres = PostgresServer.StartNew();
        await using var fleet = await ChatFleet.StartAsync(postgres);
        const string room = "database-faults";
        fleet.CreateRoom(room);
        ResumingReader[] readers =
        [
            ResumingReader.Start("reader on node 0", room, fleet.NodeDoor(0)),
            ResumingReader.Start("reader on node 1", room, fleet.NodeDoor(1)),
            ResumingReader.Start("reader through nginx", room, fleet.ProxyDoor),
        ];
        using var onNode0 = fleet.CreateNodeClient(0);
        using var onNode1 = fleet.CreateNodeClient(1);
        ChatClient[] nodeClients = [onNode0, onNode1];
        try
        {
            foreach (var reader in readers)
            {
                await reader.WaitUntilConnectedAsync();
            }
            foreach (var client in nodeClients)
            {
                await client.GetComposeFormAsync(room);
            }
            var outcomes = new List<RetryingPoster.Outcome>();
            var written = 0;
            var writing = Task.Run(async () =>
            {
                for (var i = 0; i < messages; i++)
                {
                    // Each attempt on the next node: a retry lands on the other one, as behind round robin.
                    outcomes.Add(await RetryingPoster.PostAsync(attempt => nodeClients[(i + attempt) % 2], room, "writer", $"m{i}", $"db-{i}"));
                    Volatile.Write(ref written, i + 1);
                }
            });

            await WaitForWritesAsync(() => Volatile.Read(ref written) >= messages / 4, writing, "a quarter of the posts stored");
            await postgres.RestartAsync();
            log.WriteLine($"PostgreSQL restarted after {Volatile.Read(ref written)} posts.");

            await WaitForWritesAsync(() => Volatile.Read(ref written) >= messages / 2, writing, "half of the posts stored");
            await postgres.StopAsync();
            // While it is down: posts are refused with 503 and Retry-After (nothing stored, safe to retry), and the
            // nodes are not ready.
            using (var refused = await onNode0.PostMessageAsync(room, "writer", "while the database is down", "down-1"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                Assert.NotNull(refused.Headers.RetryAfter);
            }
            using (var readiness = await onNode1.Http.GetAsync("readyz"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
            }
            await postgres.StartAsync();
            var retried = await RetryingPoster.PostAsync(_ => onNode1, room, "writer", "while the database is down", "down-1");
            await writing;

            Assert.Equal(1, fleet.CountMessages(room, "while the database is down"));
            var head = fleet.LastSeq(room);
            Assert.Equal(messages + 1, head);
            Assert.Equal(
                SeqRange.Seqs(1, head),
                outcomes.Select(o => o.Message.Seq).Append(retried.Message.Seq).Order());
            foreach (var reader in readers)
            {
                await reader.WaitForAsync(head);
            }
            await Task.Delay(Settle);
            foreach (var reader in readers)
            {
                reader.AssertExactly(1, head);
            }
            var refusedAttempts = outcomes.SelectMany(o => o.FailedAttempts).ToList();
            log.WriteLine($"{refusedAttempts.Count} attempts of the writer were refused ({string.Join(",", refusedAttempts.Distinct().Order())}).");
        }
        catch
        {
            log.WriteLine(fleet.Logs);
            throw;
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }
}
