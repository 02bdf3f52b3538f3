using System.Globalization;
using System.Net;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;
using Xunit.Abstractions;

namespace SseChat.Tests.Fleet;

/// <summary>
/// Issue 13's promise on two real nodes behind the shipped nginx fleet site: whichever node a client reads from,
/// writes to or resumes on, it gets every event of its room exactly once, in seq order, and at the end the head is
/// the room's LastSeq in PostgreSQL.
/// </summary>
[Collection(OneFleetAtATime.Name)]
public sealed class FleetDeliveryTests(SharedFleet shared, ITestOutputHelper log)
{
    /// <summary>How long the readers keep listening after the head arrived, so a late duplicate would be caught.</summary>
    private static readonly TimeSpan Settle = ChatFleet.HeadPollInterval * 3;

    private ChatFleet Fleet => shared.Fleet;

    [Fact]
    public async Task Five_hundred_messages_from_two_writers_alternating_nodes_reach_readers_on_every_node_once_in_order()
    {
        const int perWriter = 250;
        var room = shared.NewRoom("fan-out");
        var readers = new List<ResumingReader>
        {
            ResumingReader.Start("reader on node 0", room, Fleet.NodeDoor(0)),
            ResumingReader.Start("reader on node 1", room, Fleet.NodeDoor(1)),
            ResumingReader.Start("reader through nginx", room, Fleet.ProxyDoor),
            // A client that keeps changing node: every few dozen messages it reconnects to the other one.
            ResumingReader.Start("reader alternating nodes", room, attempt => Fleet.NodeDoor(attempt % ChatFleet.NodeCount)),
        };
        try
        {
            foreach (var reader in readers)
            {
                await reader.WaitUntilConnectedAsync();
            }
            var hopping = readers[^1];
            using var writing = new CancellationTokenSource();
            var hops = Task.Run(async () =>
            {
                for (var hop = 0; hop < 50 && !writing.IsCancellationRequested; hop++)
                {
                    await Eventually.TrueAsync(
                        () => writing.IsCancellationRequested || hopping.Last >= (hop + 1) * 40, "the alternating reader to read on");
                    await hopping.HopAsync();
                }
            });

            using var writerOnNode0 = Fleet.CreateNodeClient(0);
            using var writerOnNode1 = Fleet.CreateNodeClient(1);
            ChatClient[] nodeClients = [writerOnNode0, writerOnNode1];
            foreach (var client in nodeClients)
            {
                await client.GetComposeFormAsync(room); // one page (and antiforgery cookie) per client before its writers share it
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            // Two writers, each alternating between the nodes, opposite to each other.
            var writers = Enumerable.Range(0, 2).Select(writer => Task.Run(async () =>
            {
                for (var i = 0; i < perWriter; i++)
                {
                    await nodeClients[(writer + i) % 2].SendAsync(room, $"writer{writer}", $"w{writer} m{i}");
                }
            }));
            await Task.WhenAll(writers);
            log.WriteLine($"{2 * perWriter} posts took {clock.Elapsed.TotalSeconds:0.0} s.");
            await writing.CancelAsync();
            await hops;

            var head = Fleet.LastSeq(room);
            Assert.Equal(2 * perWriter, head);
            foreach (var reader in readers)
            {
                await reader.WaitForAsync(head);
            }
            await Task.Delay(Settle);
            foreach (var reader in readers)
            {
                reader.AssertExactly(1, head);
            }
            log.WriteLine($"The alternating reader opened its stream {hopping.Connections} times.");
            Assert.True(hopping.Connections > 5, $"The alternating reader changed node only {hopping.Connections - 1} times.");
        }
        finally
        {
            await DisposeAllAsync(readers);
        }
    }

    [Fact]
    public async Task Sixteen_concurrent_posters_split_across_nodes_on_one_room_get_seqs_without_hole_or_duplicate_in_commit_order()
    {
        const int posters = 16;
        const int perPoster = 20;
        var room = shared.NewRoom("hot");
        var readers = new List<ResumingReader>
        {
            ResumingReader.Start("reader on node 0", room, Fleet.NodeDoor(0)),
            ResumingReader.Start("reader on node 1", room, Fleet.NodeDoor(1)),
        };
        try
        {
            foreach (var reader in readers)
            {
                await reader.WaitUntilConnectedAsync();
            }
            using var start = new SemaphoreSlim(0);
            var posting = Enumerable.Range(0, posters).Select(poster => Task.Run(async () =>
            {
                using var client = Fleet.CreateNodeClient(poster % ChatFleet.NodeCount);
                await client.GetComposeFormAsync(room); // the page first, so that all posters start together
                await start.WaitAsync();
                var seqs = new List<long>();
                for (var i = 0; i < perPoster; i++)
                {
                    seqs.Add((await client.SendAsync(room, $"poster{poster}", $"p{poster} m{i}")).Seq);
                }
                return seqs;
            })).ToList();
            start.Release(posters);
            var seqsByPoster = await Task.WhenAll(posting);

            var head = Fleet.LastSeq(room);
            Assert.Equal(posters * perPoster, head);
            // Every post got its own seq, and together they are 1..head: no hole, no duplicate.
            Assert.Equal(SeqRange.Seqs(1, head), seqsByPoster.SelectMany(s => s).Order());
            // One poster's posts, each answered before the next was sent, were committed in that order: their seqs rise.
            foreach (var seqs in seqsByPoster)
            {
                Assert.Equal(seqs.Order(), seqs);
            }
            foreach (var reader in readers)
            {
                await reader.WaitForAsync(head);
            }
            await Task.Delay(Settle);
            foreach (var reader in readers)
            {
                reader.AssertExactly(1, head);
            }
            // The stored history agrees with what each poster was told.
            using var historian = Fleet.CreateNodeClient(1);
            var history = await historian.GetWholeHistoryAsync(room);
            Assert.Equal(SeqRange.Seqs(1, head), history.Select(m => m.Seq));
            var told = seqsByPoster.SelectMany((seqs, poster) => seqs.Select((seq, i) => (seq, text: $"p{poster} m{i}")))
                .ToDictionary(p => p.seq, p => p.text);
            Assert.All(history, message => Assert.Equal(told[message.Seq], message.Text));
        }
        finally
        {
            await DisposeAllAsync(readers);
        }
    }

    [Fact]
    public async Task A_reader_resumes_on_the_other_node_from_k_from_zero_at_the_head_and_beyond_it()
    {
        const int messages = 200;
        var room = shared.NewRoom("resume");
        using var writerOnNode0 = Fleet.CreateNodeClient(0);
        using var writerOnNode1 = Fleet.CreateNodeClient(1);
        ChatClient[] nodeClients = [writerOnNode0, writerOnNode1];

        var first = ResumingReader.Start("reader on node 0", room, Fleet.NodeDoor(0));
        ResumingReader? second = null;
        try
        {
            await first.WaitUntilConnectedAsync();
            var writing = Task.Run(async () =>
            {
                for (var i = 0; i < messages; i++)
                {
                    await nodeClients[i % 2].SendAsync(room, "writer", $"m{i}");
                }
            });
            // Read to some k on node 0, leave while the writes go on, and come back on node 1 with Last-Event-ID k.
            await first.WaitForAsync(messages / 4);
            await first.DisposeAsync();
            var k = first.Last!.Value;
            first.AssertExactly(1, k);
            second = ResumingReader.Start("the same client back on node 1", room, Fleet.NodeDoor(1), k.ToString(CultureInfo.InvariantCulture));
            await writing;
            var head = Fleet.LastSeq(room);
            Assert.Equal(messages, head);
            await second.WaitForAsync(head);
            await Task.Delay(Settle);
            second.AssertExactly(k + 1, head);
            log.WriteLine($"Left node 0 at seq {k} of {head}.");
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }

        var lastSeq = Fleet.LastSeq(room);
        var fromZero = ResumingReader.Start("Last-Event-ID 0 on node 1", room, Fleet.NodeDoor(1), "0");
        var atHead = ResumingReader.Start("Last-Event-ID head on node 0", room, Fleet.NodeDoor(0), lastSeq.ToString(CultureInfo.InvariantCulture));
        var beyond = ResumingReader.Start(
            "Last-Event-ID beyond the head on node 1", room, Fleet.NodeDoor(1), (lastSeq + 1000).ToString(CultureInfo.InvariantCulture));
        ResumingReader[] resumers = [fromZero, atHead, beyond];
        try
        {
            foreach (var reader in resumers)
            {
                await reader.WaitUntilConnectedAsync();
            }
            await fromZero.WaitForAsync(lastSeq);
            // The one seq they did not have, written on the node neither of the last two reads from... or does.
            await writerOnNode0.SendAsync(room, "writer", "after the resumes");
            var head = Fleet.LastSeq(room);
            Assert.Equal(lastSeq + 1, head);
            foreach (var reader in resumers)
            {
                await reader.WaitForAsync(head);
            }
            await Task.Delay(Settle);
            fromZero.AssertExactly(1, head);
            atHead.AssertExactly(head, head);
            Assert.Empty(atHead.Resets);
            // A resume point the room never reached (a restored database, a reused slug) is answered with reset and
            // the room's real end, and the stream goes on from there.
            Assert.Equal([lastSeq], beyond.Resets);
            beyond.AssertExactly(head, head);
        }
        finally
        {
            await DisposeAllAsync(resumers);
        }
    }

    [Fact]
    public async Task Readers_joining_a_thousand_message_burst_on_random_nodes_at_random_resume_points_miss_nothing_and_a_stalled_one_resumes()
    {
        const int messages = 1000;
        const int joiners = 12;
        var seed = Environment.TickCount;
        log.WriteLine($"Random seed {seed}.");
        var random = new Random(seed);
        var room = shared.NewRoom("burst");
        Door[] doors = [Fleet.NodeDoor(0), Fleet.NodeDoor(1), Fleet.ProxyDoor];

        // A reader that stops reading: a tiny receive buffer and nothing read after the headers. Each message is 7.5 kB
        // of UTF-8, the burst 7.5 MB: more than the server's socket send buffer may grow to on Linux (tcp_wmem, 4 MB),
        // so node 1's writes to it block, and node 1 lets go of it.
        using var stalledHttp = StalledClient.Create(Fleet.Node(1).BaseAddress);
        using var stalled = await stalledHttp.GetAsync($"stream/{room}?after=0", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stalled.StatusCode);
        var text = string.Concat(Enumerable.Repeat("满", 2500));

        var readers = new List<(ResumingReader Reader, long First)>();
        try
        {
            using var writerOnNode0 = Fleet.CreateNodeClient(0);
            using var writerOnNode1 = Fleet.CreateNodeClient(1);
            ChatClient[] nodeClients = [writerOnNode0, writerOnNode1];
            foreach (var client in nodeClients)
            {
                await client.GetComposeFormAsync(room); // one page (and antiforgery cookie) per client before its writers share it
            }
            var writers = Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
            {
                for (var i = 0; i < messages / 4; i++)
                {
                    await nodeClients[(writer + i) % 2].SendAsync(room, $"writer{writer}", text);
                }
            })).ToList();

            for (var joiner = 0; joiner < joiners && !writers.All(w => w.IsCompleted); joiner++)
            {
                await Task.Delay(random.Next(50, 300));
                var headNow = Fleet.LastSeq(room);
                var resumeFrom = random.Next(0, (int)headNow + 1);
                var door = doors[random.Next(doors.Length)];
                var reader = ResumingReader.Start(
                    $"joiner {joiner} through {door.Name} from {resumeFrom}", room, door, resumeFrom.ToString(CultureInfo.InvariantCulture));
                readers.Add((reader, resumeFrom + 1));
            }
            await Task.WhenAll(writers);
            var head = Fleet.LastSeq(room);
            Assert.Equal(messages, head);
            foreach (var (reader, _) in readers)
            {
                await reader.WaitForAsync(head);
            }
            await Task.Delay(Settle);
            Assert.True(readers.Count >= 3, $"Only {readers.Count} readers joined during the burst.");
            foreach (var (reader, first) in readers)
            {
                reader.AssertExactly(first, head);
            }

            // The stalled reader was dropped with a prefix of the room, and resumes on the other node with the rest.
            var reachedIt = await StalledClient.ReadIdsUntilDroppedAsync(stalled);
            Assert.True(reachedIt.Count < messages, "the stalled reader cannot have received the whole burst");
            Assert.Equal(SeqRange.Seqs(1, reachedIt.Count), reachedIt);
            await using var resumed = ResumingReader.Start(
                "the stalled reader, resumed on node 0", room, Fleet.NodeDoor(0), reachedIt.Count.ToString(CultureInfo.InvariantCulture));
            await resumed.WaitForAsync(head);
            await Task.Delay(Settle);
            resumed.AssertExactly(reachedIt.Count + 1, head);
            log.WriteLine($"{readers.Count} readers joined; the stalled one had {reachedIt.Count} when dropped.");
        }
        finally
        {
            await DisposeAllAsync(readers.Select(r => r.Reader));
        }
    }

    [Fact]
    public async Task A_form_rendered_by_one_node_posts_to_the_other_and_an_administrator_signed_in_on_one_is_signed_in_on_the_other()
    {
        var room = shared.NewRoom("forms");
        using var onNode0 = Fleet.CreateNodeClient(0);
        // The same browser (one cookie jar: cookies are per host, not per port), its next request served by node 1.
        using var onNode1 = new ChatClient(Fleet.Node(1).BaseAddress, handler => handler.CookieContainer = onNode0.Cookies);

        var (action, fields) = await onNode0.GetComposeFormAsync(room);
        fields["author"] = "ann";
        fields["text"] = "rendered by node 0, posted to node 1";
        using (var posted = await onNode1.Http.PostAsync(action.TrimStart('/'), new FormUrlEncodedContent(fields)))
        {
            Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        }
        Assert.Equal(1, Fleet.CountMessages(room, "rendered by node 0, posted to node 1"));

        // The first administrator signs in on node 0 with the one-time password and must choose a new one...
        var oneTime = Fleet.FirstAdministratorPassword();
        using (var signIn = await AdminSession.SubmitLoginAsync(onNode0, "admin", oneTime))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.EndsWith("/admin/password", signIn.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
        // ...on the form node 0 rendered, sent to node 1: node 1 accepts both the session and the form's token.
        var passwordForm = await AdminSession.FormFieldsAsync(onNode0, "admin/password", "form[action='/admin/password']");
        passwordForm["CurrentPassword"] = oneTime;
        passwordForm["NewPassword"] = AdminSession.DefaultPassword;
        passwordForm["ConfirmPassword"] = AdminSession.DefaultPassword;
        using (var changed = await onNode1.Http.PostAsync("admin/password", new FormUrlEncodedContent(passwordForm)))
        {
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
            Assert.Equal("/admin", changed.Headers.Location?.OriginalString);
        }
        // The session node 1 renewed is good on both nodes.
        foreach (var client in new[] { onNode0, onNode1 })
        {
            using var admin = await client.Http.GetAsync("admin");
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        }
        // A browser without the cookie is sent to sign in, on either node: the 200s above were the session's doing.
        using var stranger = Fleet.CreateNodeClient(1);
        using var refused = await stranger.Http.GetAsync("admin");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
    }

    [Fact]
    public async Task A_visitor_whose_stream_is_on_one_node_is_listed_online_on_the_other_nodes_streams()
    {
        var room = shared.NewRoom("presence");
        await using var watcher = await SseSubscriber.ConnectAsync(
            Fleet.Node(1).BaseAddress, room, visitor: new StreamVisitor(Guid.NewGuid().ToString("N"), "Bob"), includeEphemeral: true);
        await WaitForPresenceAsync(watcher, online => online.Contains("Bob"), "Bob alone, on node 1");

        await using var visitor = await SseSubscriber.ConnectAsync(
            Fleet.Node(0).BaseAddress, room, visitor: new StreamVisitor(Guid.NewGuid().ToString("N"), "Ann"));
        await WaitForPresenceAsync(watcher, online => online.Contains("Ann") && online.Contains("Bob"), "Ann (on node 0) beside Bob on node 1's stream");
    }

    /// <summary>Reads <paramref name="subscriber"/>'s events until a presence event whose names satisfy <paramref name="expected"/>.</summary>
    internal static async Task WaitForPresenceAsync(
        SseSubscriber subscriber, Func<IReadOnlyList<string>, bool> expected, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        var seen = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            System.Net.ServerSentEvents.SseItem<string> item;
            try
            {
                item = await subscriber.NextAsync(deadline - DateTime.UtcNow);
            }
            catch (TimeoutException)
            {
                break;
            }
            if (item.EventType != SseFrames.PresenceEventType)
            {
                continue;
            }
            using var payload = System.Text.Json.JsonDocument.Parse(item.Data);
            var online = payload.RootElement.GetProperty("online").EnumerateArray().Select(name => name.GetString()!).ToList();
            seen.Add(string.Join(",", online));
            if (expected(online))
            {
                return;
            }
        }
        Assert.Fail($"No presence event showed {what}; seen: [{string.Join("] [", seen)}].");
    }

    private static async Task DisposeAllAsync(IEnumerable<ResumingReader> readers)
    {
        foreach (var reader in readers)
        {
            await reader.DisposeAsync();
        }
    }
}
