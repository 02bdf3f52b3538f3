using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using SseChat.Web.Data;

namespace SseChat.Web.Admin;

/// <summary>
/// The names administrators go by (their account names and every name they posted under with the admin mark), as
/// <see cref="NameSkeleton"/>s, so that a visitor cannot post as an administrator or as a look-alike of one. Loaded
/// at start and kept in memory (validation is synchronous, and it is asked on every post and typing notice), then read
/// again every <see cref="AdminOptions.NamesRefreshInterval"/> by <see cref="AdministratorNamesRefresher"/>, for what
/// other nodes and the command line added. The partial index on admin-marked authors keeps each read small.
/// </summary>
public sealed class AdministratorNames
{
    private readonly ConcurrentDictionary<string, byte> skeletons = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="name"/> is, or looks like, a name an administrator goes by.</summary>
    public bool IsTaken(string name) => skeletons.ContainsKey(NameSkeleton.Of(name));

    /// <summary>An administrator posts (or is about to post) under <paramref name="name"/>.</summary>
    public void Remember(string name) => skeletons.TryAdd(NameSkeleton.Of(name), 0);

    public async Task LoadAsync(ChatDbContext db, CancellationToken cancellationToken)
    {
        var accounts = await db.Administrators.AsNoTracking().Select(a => a.UserName).ToListAsync(cancellationToken);
        var posted = await db.RoomEvents.AsNoTracking()
            .Where(e => e.AuthorIsAdmin && e.Author != null)
            .Select(e => e.Author!)
            .Distinct()
            .ToListAsync(cancellationToken);
        foreach (var name in accounts.Concat(posted))
        {
            Remember(name);
        }
    }
}
