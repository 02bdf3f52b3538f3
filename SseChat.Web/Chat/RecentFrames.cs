namespace SseChat.Web.Chat;

/// <summary>
/// A room's most recently published event frames, in seq order with no holes. A client that reconnects a little
/// behind (a network blip, a server restart behind a load balancer, a laptop waking up) is then replayed the
/// shared bytes from here instead of a database query and a fresh encoding of every event for every client,
/// which is what lets a thousand clients catch up at once without starving live delivery.
/// </summary>
internal sealed class RecentFrames(int capacity)
{
    private readonly Lock gate = new();
    private readonly SseFrame?[] ring = new SseFrame?[capacity];
    private int start;
    private int count;

    /// <summary>Keeps a published event frame; id-less frames (heartbeats, ephemeral events) are not events and are skipped.</summary>
    public void Add(SseFrame frame)
    {
        if (frame.Seq is not { } seq)
        {
            return;
        }
        lock (gate)
        {
            // A hole (a frame lost on its way here) or a removal (earlier frames would replay the removed text) starts
            // the window afresh: only contiguous, still-true frames may stand in for the database.
            if (count > 0 && (seq != NewestSeq + 1 || frame.RewritesEarlierEvents))
            {
                ClearLocked();
            }
            if (count == ring.Length)
            {
                ring[start] = frame;
                start = (start + 1) % ring.Length;
            }
            else
            {
                ring[(start + count) % ring.Length] = frame;
                count++;
            }
        }
    }

    /// <summary>
    /// Adds every kept frame after <paramref name="afterSeq"/> to <paramref name="frames"/>, but only when the kept
    /// window starts at or before the first one wanted and reaches at least <paramref name="throughSeq"/>; otherwise
    /// adds nothing and returns false, and the caller reads the database.
    /// </summary>
    public bool TryCopyAfter(long afterSeq, long throughSeq, List<SseFrame> frames)
    {
        lock (gate)
        {
            if (count == 0)
            {
                return false;
            }
            var oldest = ring[start]!.Seq!.Value;
            var newest = NewestSeq;
            if (afterSeq + 1 < oldest || newest < throughSeq)
            {
                return false;
            }
            for (var seq = afterSeq + 1; seq <= newest; seq++)
            {
                frames.Add(ring[(start + (int)(seq - oldest)) % ring.Length]!);
            }
            return true;
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            ClearLocked();
        }
    }

    private long NewestSeq => ring[(start + count - 1) % ring.Length]!.Seq!.Value;

    private void ClearLocked()
    {
        Array.Clear(ring);
        start = 0;
        count = 0;
    }
}
