using Microsoft.EntityFrameworkCore;
using SseChat.Web.Data;

namespace SseChat.Web.Admin;

/// <summary>Records admin actions that do not go through the chat writer (sign-ins, room creation).</summary>
public sealed class AuditLog(ChatDbContext db, TimeProvider clock)
{
    /// <summary>The actor of a failed sign-in with a name that does not exist (which may be a mistyped password).</summary>
    public const string UnknownNameActor = "(unknown name)";

    /// <summary>The actor of a password set with <c>admin set-password</c>.</summary>
    public const string CommandLineActor = "command line";

    public void Add(string actor, AuditAction action, string target = "", string detail = "") =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            Actor = Truncate(actor, Administrator.UserNameMaxLength),
            Action = action,
            Target = Truncate(target, 200),
            Detail = Truncate(detail, 500),
        });

    public async Task RecordAsync(string actor, AuditAction action, string target = "", string detail = "")
    {
        Add(actor, action, target, detail);
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Up to <paramref name="count"/> entries older than the entry <paramref name="before"/> (the newest when null),
    /// newest first, of one action or all: a keyset page, so an old page stays as cheap as the first.
    /// </summary>
    public Task<List<AuditEntry>> PageAsync(
        long? before, AuditAction? action, int count, CancellationToken cancellationToken)
    {
        var entries = db.AuditEntries.AsNoTracking();
        if (before is { } id)
        {
            entries = entries.Where(e => e.Id < id);
        }
        if (action is { } only)
        {
            entries = entries.Where(e => e.Action == only);
        }
        return entries.OrderByDescending(e => e.Id).Take(count).ToListAsync(cancellationToken);
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
