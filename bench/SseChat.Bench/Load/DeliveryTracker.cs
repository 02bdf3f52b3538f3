using HdrHistogram;

namespace SseChat.Bench.Load;

/// <summary>
/// Everything one load process learns from its subscribers in the current phase: the latency of every delivery
/// (microseconds, HdrHistogram), and per subscriber and poster which running numbers arrived, so that missing and
/// duplicated deliveries are counted exactly.
/// </summary>
internal sealed class DeliveryTracker
{
    public const long HighestMicroseconds = 10 * 60 * 1_000_000L;

    private readonly LongConcurrentHistogram latency = new(1, HighestMicroseconds, 3);
    private long deliveries;
    private long duplicated;

    public int Phase { get; private set; } = -1;

    public LongConcurrentHistogram Latency => latency;

    public long Deliveries => Interlocked.Read(ref deliveries);

    public long Duplicated => Interlocked.Read(ref duplicated);

    /// <summary>Starts a phase: counts and latencies from before are forgotten (the caller has reported them).</summary>
    public void BeginPhase(int phase, IEnumerable<SubscriberState> subscribers)
    {
        foreach (var subscriber in subscribers)
        {
            subscriber.ResetCounts();
        }
        latency.Reset();
        Interlocked.Exchange(ref deliveries, 0);
        Interlocked.Exchange(ref duplicated, 0);
        Phase = phase;
    }

    public void Record(SubscriberState subscriber, Delivery delivery)
    {
        subscriber.SawSeq(delivery.Seq);
        if (delivery.Stamp is not { } stamp || stamp.Phase != Phase || !subscriber.Measured)
        {
            return; // a replayed message, or one posted before this phase or before this subscriber was measured
        }
        var elapsedTicks = System.Diagnostics.Stopwatch.GetTimestamp() - stamp.SentAt;
        Interlocked.Increment(ref deliveries);
        if (!subscriber.Take(stamp.Poster, stamp.Number))
        {
            Interlocked.Increment(ref duplicated);
            return;
        }
        var micros = elapsedTicks * 1_000_000 / System.Diagnostics.Stopwatch.Frequency;
        latency.RecordValue(Math.Clamp(micros, 1, HighestMicroseconds));
    }
}

/// <summary>One subscriber's view of the phase; written only by its own receive loop.</summary>
internal sealed class SubscriberState(bool measured)
{
    // Per poster, one bit per running number received: paced posts are sent without waiting for the one before,
    // so they may arrive in any order, and only a set tells a duplicate from a late one.
    private readonly ulong[]?[] seen = new ulong[Stamp.MaxPosters][];
    private readonly int[] received = new int[Stamp.MaxPosters];
    private long lastSeq;

    public bool Measured { get; } = measured;

    public long LastSeq => Volatile.Read(ref lastSeq);

    /// <summary>False while the subscriber is not (or no longer) connected.</summary>
    public volatile bool Connected;

    public void SawSeq(long seq)
    {
        if (seq > lastSeq)
        {
            Volatile.Write(ref lastSeq, seq);
        }
    }

    /// <summary>True for a message not received before.</summary>
    public bool Take(int poster, int number)
    {
        var index = number - 1;
        var bits = seen[poster] ??= new ulong[4];
        if (index >> 6 >= bits.Length)
        {
            Array.Resize(ref bits, Math.Max(bits.Length * 2, (index >> 6) + 1));
            seen[poster] = bits;
        }
        var mask = 1UL << (index & 63);
        if ((bits[index >> 6] & mask) != 0)
        {
            return false;
        }
        bits[index >> 6] |= mask;
        Volatile.Write(ref received[poster], received[poster] + 1);
        return true;
    }

    public int Received(int poster) => Volatile.Read(ref received[poster]);

    public void ResetCounts()
    {
        Array.Clear(seen);
        Array.Clear(received);
    }
}
