using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SseChat.Web.Data;

namespace SseChat.Web.Chat;

/// <summary>
/// Names the history a room page was rendered from, for the <c>v</c> parameter of its stream address: the database's
/// epoch (<see cref="DatabaseEpoch"/>, new after a restore) and the room's incarnation (its id and creation time, new
/// when a deleted slug is created again). A stream asked for with another history's version starts afresh with
/// <c>reset</c> instead of resuming from a Last-Event-ID that numbers other events (docs/protocol.md).
/// </summary>
/// <remarks>
/// The epoch is read once, at start-up: a restore replaces the database under stopped nodes, and <c>epoch renew</c>
/// is documented to be followed by a restart. The room's part comes with every room lookup, so it costs nothing.
/// </remarks>
public sealed class HistoryVersions
{
    /// <summary>Hex digits in a version: 64 bits of a hash, ample to tell histories apart, short in a URL.</summary>
    public const int Length = 16;

    private long? epoch;

    public async Task LoadAsync(ChatDbContext db, CancellationToken cancellationToken)
    {
        epoch = await db.DatabaseEpochs.AsNoTracking()
            .Where(e => e.Id == DatabaseEpoch.SingleRowId)
            .Select(e => (long?)e.Epoch)
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException(
                "The database has no epoch row (table DatabaseEpochs); its migrations create one. Run `epoch renew` to add it.");
    }

    /// <summary>The version of <paramref name="room"/>'s history as this database holds it.</summary>
    public string Of(RoomSummary room)
    {
        var current = epoch ?? throw new InvalidOperationException("The database epoch is read at start-up (LoadDatabaseEpochAsync).");
        // Hashed rather than spelled out: clients are to compare nothing in it, and the parts (an internal room id,
        // the epoch) stay the server's to change.
        var parts = Encoding.ASCII.GetBytes(FormattableString.Invariant($"{current}:{room.Id}:{room.CreatedAt.Ticks}"));
        return Convert.ToHexStringLower(SHA256.HashData(parts), 0, Length / 2);
    }

    /// <summary>Whether <paramref name="value"/> is shaped like a version (what <see cref="Of"/> hands out).</summary>
    public static bool IsWellFormed(string value) =>
        value.Length == Length && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}

public static class HistoryVersionsExtensions
{
    /// <summary>Reads the database's epoch; after the migrations, which create it.</summary>
    public static async Task LoadDatabaseEpochAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await app.Services.GetRequiredService<HistoryVersions>()
            .LoadAsync(scope.ServiceProvider.GetRequiredService<ChatDbContext>(), app.Lifetime.ApplicationStopping);
    }
}
