using System.Globalization;
using System.Net.ServerSentEvents;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Fleet;

/// <summary>
/// A room stream read the way EventSource reads one: whenever the stream ends or cannot be opened, it opens it again
/// with the last event id as <c>Last-Event-ID</c>, through the door <see cref="Start"/> was given for that attempt
/// (one node, the other, or nginx). It records the id of every persisted event, in arrival order, duplicates and all,
/// so the test can insist on exactly <c>first..head</c>.
/// </summary>
public sealed class ResumingReader : IAsyncDisposable
{
    /// <summary>Attempts in a row that may fail (about 100 ms apart) before the reader gives up and fails the test.</summary>
    private const int MaxFailedAttemptsInARow = 300;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Lock gate = new();
    private readonly List<long> seqs = [];
    private readonly List<long> resets = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Func<int, Door> doorForAttempt;
    private readonly string slug;
    private Task loop = Task.CompletedTask;
    private string? lastEventId;
    private int connections;
    private CancellationTokenSource? currentConnection;
    private int disposed;

    private ResumingReader(string name, string slug, Func<int, Door> doorForAttempt, string? lastEventId)
    {
        Name = name;
        this.slug = slug;
        this.doorForAttempt = doorForAttempt;
        this.lastEventId = lastEventId;
    }

    public string Name { get; }

    /// <summary>How many times a stream was opened (1 plus the reconnects).</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>Every persisted event's seq, in the order received.</summary>
    public IReadOnlyList<long> Seqs
    {
        get
        {
            lock (gate)
            {
                return [.. seqs];
            }
        }
    }

    /// <summary>The lastSeq of each <c>reset</c> event received.</summary>
    public IReadOnlyList<long> Resets
    {
        get
        {
            lock (gate)
            {
                return [.. resets];
            }
        }
    }

    public long? Last
    {
        get
        {
            lock (gate)
            {
                return seqs.Count == 0 ? null : seqs[^1];
            }
        }
    }

    /// <param name="doorForAttempt">Where the n-th attempt to open the stream goes (0 first).</param>
    /// <param name="lastEventId">The Last-Event-ID of the first attempt (none: a fresh page).</param>
    public static ResumingReader Start(string name, string slug, Func<int, Door> doorForAttempt, string? lastEventId = null)
    {
        var reader = new ResumingReader(name, slug, doorForAttempt, lastEventId);
        reader.loop = Task.Run(reader.RunAsync);
        return reader;
    }

    public static ResumingReader Start(string name, string slug, Door door, string? lastEventId = null) =>
        Start(name, slug, _ => door, lastEventId);

    /// <summary>
    /// Closes the open stream, as a browser whose page is reloaded or whose network changes: the reader opens it again
    /// at once through its next door, with the last event id.
    /// </summary>
    public async Task HopAsync()
    {
        var before = Connections;
        try
        {
            Volatile.Read(ref currentConnection)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That connection had just ended by itself: the reader is opening the next one anyway.
        }
        await Eventually.TrueAsync(() => Connections > before || loop.IsCompleted, $"{Name} to open its stream again");
    }

    /// <summary>Waits until the reader has received <paramref name="seq"/> (or later); fails if it gave up.</summary>
    public async Task WaitForAsync(long seq, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(
            () => loop.IsCompleted || Last >= seq,
            $"{Name} to receive seq {seq} (it has {Describe(Seqs)})",
            timeout ?? TimeSpan.FromSeconds(60));
        if (loop.IsCompleted)
        {
            await loop; // its failure, if any
            Assert.Fail($"{Name} stopped reading before seq {seq}.");
        }
    }

    /// <summary>Waits until the stream is open (its first response headers arrived).</summary>
    public Task WaitUntilConnectedAsync() =>
        Eventually.TrueAsync(() => Connections > 0 || loop.IsCompleted, $"{Name} to open its stream", TimeSpan.FromSeconds(30));

    /// <summary>The fleet's promise for one client: every seq from <paramref name="first"/> to <paramref name="head"/> once, in order.</summary>
    public void AssertExactly(long first, long head)
    {
        var received = Seqs;
        Assert.True(
            received.SequenceEqual(SeqRange.Seqs(first, head)),
            $"{Name} should have received {first}..{head} once each, in order, over {Connections} connection(s); it has {Describe(received)}");
    }

    /// <summary>A short account of a seq list: its size, ends, and the first place it is not +1.</summary>
    public static string Describe(IReadOnlyList<long> received)
    {
        if (received.Count == 0)
        {
            return "nothing";
        }
        var text = string.Create(CultureInfo.InvariantCulture, $"{received.Count} events, {received[0]}..{received[^1]}");
        for (var i = 1; i < received.Count; i++)
        {
            if (received[i] != received[i - 1] + 1)
            {
                return text + string.Create(CultureInfo.InvariantCulture,
                    $", first break at index {i}: {received[i - 1]} then {received[i]} ({(received[i] <= received[i - 1] ? "duplicate or out of order" : "hole")})");
            }
        }
        return text;
    }

    private async Task RunAsync()
    {
        var failedInARow = 0;
        for (var attempt = 0; !stop.IsCancellationRequested; attempt++)
        {
            var door = doorForAttempt(attempt);
            SseSubscriber subscriber;
            try
            {
                subscriber = await SseSubscriber.ConnectAsync(door.Address, slug, lastEventId, handler: door.CreateHandler());
            }
            catch (Exception exception) when (!stop.IsCancellationRequested)
            {
                // Refused, reset, a 502 from nginx or a 503 from a node: EventSource-like, try again shortly.
                if (++failedInARow >= MaxFailedAttemptsInARow)
                {
                    throw new InvalidOperationException($"{Name} could not open its stream {failedInARow} times in a row (last through {door.Name}).", exception);
                }
                await Delay(RetryDelay);
                continue;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            failedInARow = 0;
            using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            Volatile.Write(ref currentConnection, connection);
            Interlocked.Increment(ref connections);
            await using (subscriber)
            {
                await ReadUntilEndAsync(subscriber, connection.Token);
            }
            Volatile.Write(ref currentConnection, null);
        }
    }

    private async Task ReadUntilEndAsync(SseSubscriber subscriber, CancellationToken connection)
    {
        while (!connection.IsCancellationRequested)
        {
            SseItem<string> item;
            try
            {
                item = await subscriber.NextAsync(TimeSpan.FromMilliseconds(250));
            }
            catch (TimeoutException)
            {
                continue;
            }
            catch (EndOfStreamException)
            {
                return;
            }
            if (item.EventType == SseFrames.ResetEventType)
            {
                var payload = System.Text.Json.JsonDocument.Parse(item.Data);
                lock (gate)
                {
                    resets.Add(payload.RootElement.GetProperty("lastSeq").GetInt64());
                }
                continue;
            }
            if (!string.IsNullOrEmpty(item.EventId))
            {
                var seq = long.Parse(item.EventId, CultureInfo.InvariantCulture);
                lock (gate)
                {
                    seqs.Add(seq);
                }
                lastEventId = item.EventId;
            }
        }
    }

    private async Task Delay(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops reading; rethrows what made the reader give up, if anything did.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        finally
        {
            stop.Dispose();
        }
    }
}
