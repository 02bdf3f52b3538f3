using Microsoft.EntityFrameworkCore;
using SseChat.Web.Data;

namespace SseChat.Web.Admin;

/// <summary>Records admin actions that do not go through the chat writer (sign-ins, room creation).</summary>
public sealed class AuditLog(ChatDbContext db, TimeProvider clock)
{
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

    public Task<List<AuditEntry>> LatestAsync(int count, CancellationToken cancellationToken) =>
        db.AuditEntries.AsNoTracking().OrderByDescending(e => e.Id).Take(count).ToListAsync(cancellationToken);

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
