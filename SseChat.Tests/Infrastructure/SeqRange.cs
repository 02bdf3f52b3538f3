namespace SseChat.Tests.Infrastructure;

internal static class SeqRange
{
    /// <summary>first, first + 1, ..., last: what a contiguous stretch of a room's sequence looks like.</summary>
    public static IEnumerable<long> Seqs(long first, long last)
    {
        for (var seq = first; seq <= last; seq++)
        {
            yield return seq;
        }
    }
}
