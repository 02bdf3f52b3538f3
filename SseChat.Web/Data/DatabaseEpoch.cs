using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SseChat.Web.Data;

/// <summary>
/// The database's one row saying which incarnation of the chat's history this is: a random number drawn when the
/// database is created, and drawn again for a backup's copy, so that a browser whose page came from before a restore
/// can be told that its event ids belong to another history (docs/protocol.md, "Resuming across a restore or a reused slug").
/// </summary>
public class DatabaseEpoch
{
    public const int SingleRowId = 1;

    public int Id { get; set; }

    public long Epoch { get; set; }

    /// <summary>
    /// A new epoch for a database that becomes a history of its own (a backup's copy, a restore): random, in the
    /// range the migrations draw from (below 2^53), and never <paramref name="current"/>.
    /// </summary>
    public static long DrawOtherThan(long current)
    {
        const long range = 1L << 53;
        var drawn = (long)(BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(sizeof(ulong))) % range);
        return drawn == current ? (drawn + 1) % range : drawn;
    }
}
