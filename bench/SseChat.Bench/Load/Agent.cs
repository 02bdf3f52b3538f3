using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace SseChat.Bench.Load;

/// <summary>
/// A load process: holds its share of the subscribers (one process may have at most 20,000 open files here), and
/// does what the orchestrator says on standard input, one JSON line per command and per answer.
/// </summary>
internal static class Agent
{
    // Handshakes in flight at once while connecting: beyond the server's listen backlog, SYNs would be dropped and
    // retried a second later, which measures the kernel's retry timer rather than the server.
    private const int ConnectConcurrency = 64;

    /// <param name="args">server kind (one of <see cref="ServerKinds.All"/>), base URL, source address.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [var kind, var baseUrl, var sourceAddress])
        {
            await Console.Error.WriteLineAsync("usage: agent <ssechat|ssechat-pg|ssechat-fleet|memory|signalr> <base-url> <source-address>");
            return 2;
        }
        var tracker = new DeliveryTracker();
        using var handler = LoopbackHttp.CreateHandler(IPAddress.Parse(sourceAddress));
        using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = Timeout.InfiniteTimeSpan };
        var subscribers = new List<ISubscriberClient>();

        ISubscriberClient Create(bool measured)
        {
            var state = new SubscriberState(measured);
            return kind == ServerKinds.SignalR
                ? new SignalRSubscriberClient(http, new Uri(http.BaseAddress!, Servers.SignalRServer.HubPath), tracker, state)
                : new SseSubscriberClient(http, new Uri(http.BaseAddress!, $"stream/{Servers.InMemoryServer.RoomSlug}"), tracker, state);
        }

        while (await Console.In.ReadLineAsync() is { } line)
        {
            var command = JsonSerializer.Deserialize(line, AgentJsonContext.Default.AgentCommand)!;
            AgentReply reply;
            try
            {
                reply = command.Op switch
                {
                    AgentCommand.Connect => await ConnectAsync(subscribers, command.Count, () => Create(measured: true), null, ConnectConcurrency),
                    AgentCommand.BeginPhase => BeginPhase(tracker, subscribers, command.Phase),
                    AgentCommand.Report => await ReportAsync(tracker, subscribers, command),
                    AgentCommand.Resume => await ResumeAsync(subscribers, command, () => Create(measured: false)),
                    AgentCommand.Close => await CloseAsync(subscribers),
                    _ => new AgentReply { Error = $"unknown op {command.Op}" },
                };
            }
            catch (Exception exception)
            {
                reply = new AgentReply { Error = exception.ToString() };
            }
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(reply, AgentJsonContext.Default.AgentReply));
            await Console.Out.FlushAsync();
        }
        await CloseAsync(subscribers);
        return 0;
    }

    private static async Task<AgentReply> ConnectAsync(
        List<ISubscriberClient> subscribers, int count, Func<ISubscriberClient> create, long? resumeAfter, int concurrency)
    {
        var started = Stopwatch.GetTimestamp();
        using var gate = new SemaphoreSlim(concurrency);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var failures = 0;
        var firstError = (string?)null;
        var connecting = Enumerable.Range(0, count).Select(async _ =>
        {
            var client = create();
            await gate.WaitAsync();
            try
            {
                await client.ConnectAsync(resumeAfter, timeout.Token);
                lock (subscribers)
                {
                    subscribers.Add(client);
                }
            }
            catch (Exception exception)
            {
                Interlocked.Increment(ref failures);
                Interlocked.CompareExchange(ref firstError, exception.Message, null);
                await client.DisposeAsync();
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(connecting);
        if (firstError is not null)
        {
            await Console.Error.WriteLineAsync($"agent: {failures} connects failed, first: {firstError}");
        }
        return new AgentReply
        {
            Connected = count - failures,
            Failed = failures,
            ElapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            Subscribers = subscribers.Count,
        };
    }

    private static AgentReply BeginPhase(DeliveryTracker tracker, List<ISubscriberClient> subscribers, int phase)
    {
        tracker.BeginPhase(phase, subscribers.Select(s => s.State));
        return new AgentReply { Subscribers = subscribers.Count };
    }

    /// <summary>Waits (bounded) until every measured subscriber has every message sent, then counts.</summary>
    private static async Task<AgentReply> ReportAsync(DeliveryTracker tracker, List<ISubscriberClient> subscribers, AgentCommand command)
    {
        var measured = subscribers.Select(s => s.State).Where(s => s.Measured).ToList();
        var sent = command.Sent;
        bool AllIn() => measured.All(s => !s.Connected || Enumerable.Range(0, sent.Length).All(p => s.Received(p) >= sent[p]));
        var deadline = Stopwatch.GetTimestamp() + (long)(command.TimeoutSeconds * Stopwatch.Frequency);
        while (!AllIn() && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }
        var expected = (long)sent.Sum() * measured.Count;
        var unique = measured.Sum(s => Enumerable.Range(0, sent.Length).Sum(p => (long)Math.Min(s.Received(p), sent[p])));
        var latency = new List<long[]>();
        foreach (var bucket in tracker.Latency.RecordedValues())
        {
            latency.Add([bucket.ValueIteratedTo, bucket.CountAddedInThisIterationStep]);
        }
        return new AgentReply
        {
            Deliveries = tracker.Deliveries,
            Missing = expected - unique,
            Duplicated = tracker.Duplicated,
            Subscribers = measured.Count,
            Disconnected = measured.Count(s => !s.Connected),
            Latency = [.. latency],
        };
    }

    /// <summary>Connects all of them at once, each resuming after the same seq, and times them until all reach the target.</summary>
    private static async Task<AgentReply> ResumeAsync(List<ISubscriberClient> subscribers, AgentCommand command, Func<ISubscriberClient> create)
    {
        var started = Stopwatch.GetTimestamp();
        var before = subscribers.Count;
        var connect = await ConnectAsync(subscribers, command.Count, create, command.After, concurrency: command.Count);
        var resumed = subscribers.Skip(before).Select(s => s.State).ToList();
        var deadline = started + (long)(command.TimeoutSeconds * Stopwatch.Frequency);
        while (resumed.Any(s => s.LastSeq < command.Target) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(5);
        }
        return connect with
        {
            ElapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            Missing = resumed.Count(s => s.LastSeq < command.Target) + connect.Failed,
        };
    }

    private static async Task<AgentReply> CloseAsync(List<ISubscriberClient> subscribers)
    {
        var count = subscribers.Count;
        await Task.WhenAll(subscribers.Select(s => s.DisposeAsync().AsTask()));
        subscribers.Clear();
        return new AgentReply { Subscribers = count };
    }
}

internal static class ServerKinds
{
    public const string SseChat = "ssechat";

    /// <summary>One SseChat node on PostgreSQL with the Redis backplane, as a fleet's node runs.</summary>
    public const string SseChatPostgres = "ssechat-pg";

    /// <summary>Two SseChat nodes on one PostgreSQL and one Redis, behind nginx's round robin.</summary>
    public const string SseChatFleet = "ssechat-fleet";

    public const string Memory = "memory";
    public const string SignalR = "signalr";

    /// <summary>In report order.</summary>
    public static readonly string[] All = [SseChat, SseChatPostgres, SseChatFleet, Memory, SignalR];

    /// <summary>Every SseChat variant is driven alike: the room page, the compose form, the stream.</summary>
    public static bool IsSseChat(string kind) => kind is SseChat or SseChatPostgres or SseChatFleet;
}
