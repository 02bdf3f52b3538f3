using Microsoft.EntityFrameworkCore;
using SseChat.Web.Data;

namespace SseChat.Web.Chat;

/// <summary>
/// The read side: untracked queries over rooms and their events. Each query takes a context from the factory and
/// lets it go at once, so that a stream, a request that lasts for hours, does not keep a DbContext (and its change
/// tracker and services) alive per connection.
/// </summary>
public sealed class RoomQueries(IDbContextFactory<ChatDbContext> contexts)
{
    public async Task<RoomSummary?> FindAsync(string slug, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await Summaries(db, db.Rooms.Where(r => r.Slug == slug)).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>Rooms as summaries, each with the database's epoch read in the same query (HistoryVersions).</summary>
    private static IQueryable<RoomSummary> Summaries(ChatDbContext db, IQueryable<Room> rooms) =>
        rooms.AsNoTracking().Select(r => new RoomSummary(r.Id, r.Slug, r.Name, r.Topic, r.IsArchived, r.LastSeq, r.CreatedAt,
            db.DatabaseEpochs.Where(e => e.Id == DatabaseEpoch.SingleRowId).Select(e => e.Epoch).FirstOrDefault()));

    public async Task<bool> ExistsAsync(int roomId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Rooms.AnyAsync(r => r.Id == roomId, cancellationToken);
    }

    public async Task<List<RoomSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await Summaries(db, db.Rooms.OrderBy(r => r.Name)).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> messages with seq below <paramref name="beforeSeq"/>, oldest first; removed
    /// messages are left out.
    /// </summary>
    public async Task<List<ChatMessage>> GetMessagesBeforeAsync(
        int roomId, long beforeSeq, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var newestFirst = await db.RoomEvents.AsNoTracking()
            .Where(e => e.RoomId == roomId && e.Seq < beforeSeq && e.Kind == RoomEventKind.Message && e.RemovedAt == null)
            .OrderByDescending(e => e.Seq)
            .Take(limit)
            .Select(e => e.ToChatMessage())
            .ToListAsync(cancellationToken);
        newestFirst.Reverse();
        return newestFirst;
    }

    /// <summary>The next page of persisted events after <paramref name="afterSeq"/>, in seq order, for replay.</summary>
    public async Task<List<RoomEvent>> GetEventsAfterAsync(
        int roomId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.RoomEvents.AsNoTracking()
            .Where(e => e.RoomId == roomId && e.Seq > afterSeq)
            .OrderBy(e => e.Seq)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }
}

/// <param name="CreatedAt">With <see cref="Id"/>, tells this room from an earlier one of the same slug (see <see cref="HistoryVersions"/>).</param>
/// <param name="Epoch">The database's epoch as of the lookup (<see cref="DatabaseEpoch"/>).</param>
public sealed record RoomSummary(
    int Id, string Slug, string Name, string Topic, bool IsArchived, long LastSeq, DateTime CreatedAt, long Epoch);
