using Microsoft.EntityFrameworkCore;

namespace SseChat.Web.Data;

internal static class CaseInsensitiveNames
{
    /// <summary>
    /// "Admin" and "admin" are one person: administrators' names, and the audit log's record of who acted, compare
    /// without case, so neither sign-in nor the set-password command can make a second account of another spelling.
    /// </summary>
    public static void UseCaseInsensitiveNames(this ModelBuilder modelBuilder, string collation)
    {
        modelBuilder.Entity<Administrator>().Property(a => a.UserName).UseCollation(collation);
        modelBuilder.Entity<AuditEntry>().Property(e => e.Actor).UseCollation(collation);
    }
}
