using System.Security.Cryptography;
using System.Text;
using SseChat.Web.Data;

namespace SseChat.Web.Chat;

/// <summary>
/// Names the history a room page was rendered from, for the <c>v</c> parameter of its stream address: the database's
/// epoch (<see cref="DatabaseEpoch"/>, new after a restore) and the room's incarnation (its id and creation time, new
/// when a deleted slug is created again). A stream asked for with another history's version starts afresh with
/// <c>reset</c> instead of resuming from a Last-Event-ID that numbers other events (docs/protocol.md).
/// </summary>
/// <remarks>
/// Both parts come with the room lookup (<see cref="RoomQueries.FindAsync"/>), the epoch as a subquery on its one-row
/// table, rather than being cached per process: a node that kept an old epoch (it was running through
/// <c>epoch renew</c> or a restore) would give out pages that another node resets, and the page reloads on reset,
/// so two such nodes behind one address could keep a browser reloading.
/// </remarks>
public static class HistoryVersions
{
    /// <summary>Hex digits in a version: 64 bits of a hash, ample to tell histories apart, short in a URL.</summary>
    public const int Length = 16;

    /// <summary>The version of <paramref name="room"/>'s history as this database holds it.</summary>
    public static string Of(RoomSummary room)
    {
        // Hashed rather than spelled out: clients are to compare nothing in it, and the parts (an internal room id,
        // the epoch) stay the server's to change.
        var parts = Encoding.ASCII.GetBytes(FormattableString.Invariant($"{room.Epoch}:{room.Id}:{room.CreatedAt.Ticks}"));
        return Convert.ToHexStringLower(SHA256.HashData(parts), 0, Length / 2);
    }

    /// <summary>Whether <paramref name="value"/> is shaped like a version (what <see cref="Of"/> hands out).</summary>
    public static bool IsWellFormed(string value) =>
        value.Length == Length && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
