using Microsoft.EntityFrameworkCore;
using SseChat.Web.Chat;
using SseChat.Web.Data;
using SseChat.Web.Operations;

namespace SseChat.Web.Admin;

/// <summary>
/// What the admin area reads about rooms: activity figures from the database, who is online from presence (the
/// fleet's, with a Redis backplane), open streams from this node's metrics.
/// </summary>
public sealed class AdminRoomQueries(ChatDbContext db, ChatMetrics metrics, PresenceTracker presence)
{
    public async Task<List<AdminRoomRow>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = await db.Rooms.AsNoTracking()
            .OrderBy(r => r.Name)
            .Select(r => new
            {
                r.Id,
                r.Slug,
                r.Name,
                r.Topic,
                r.IsArchived,
                Messages = db.RoomEvents.Count(e => e.RoomId == r.Id && e.Kind == RoomEventKind.Message && e.RemovedAt == null),
                LastActivity = db.RoomEvents.Where(e => e.RoomId == r.Id).Max(e => (DateTime?)e.CreatedAt),
            })
            .ToListAsync(cancellationToken);
        return rows.ConvertAll(r => new AdminRoomRow(
            r.Slug, r.Name, r.Topic, r.IsArchived, r.Messages,
            r.LastActivity is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : null,
            presence.CountOnline(r.Id),
            metrics.OpenStreamsIn(r.Slug)));
    }

    /// <summary>
    /// Up to <paramref name="count"/> messages of a room older than <paramref name="before"/> (the newest when null),
    /// removed ones included, newest first: a keyset page on the (room, seq) index.
    /// </summary>
    public Task<List<RoomEvent>> MessagesBeforeAsync(int roomId, long? before, int count, CancellationToken cancellationToken) =>
        db.RoomEvents.AsNoTracking()
            .Where(e => e.RoomId == roomId && e.Kind == RoomEventKind.Message && e.Seq < (before ?? long.MaxValue))
            .OrderByDescending(e => e.Seq)
            .Take(count)
            .ToListAsync(cancellationToken);

    public Task<bool> SlugExistsAsync(string slug, CancellationToken cancellationToken) =>
        db.Rooms.AnyAsync(r => r.Slug == slug, cancellationToken);
}

/// <param name="Online">
/// Entries online in the room, as its <c>presence</c> counts them: the whole fleet's with a Redis backplane.
/// </param>
/// <param name="OpenStreamsHere">
/// Streams of the room open on this node right now: the room's <c>ssechat.streams.open</c>, from <see cref="ChatMetrics"/>.
/// </param>
public sealed record AdminRoomRow(
    string Slug, string Name, string Topic, bool IsArchived, int Messages, DateTime? LastActivity, int Online,
    long OpenStreamsHere);
