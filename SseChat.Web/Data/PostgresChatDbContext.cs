using Microsoft.EntityFrameworkCore;

namespace SseChat.Web.Data;

/// <summary>The chat model on PostgreSQL; its migrations are in <c>Data/Migrations/Postgres</c>.</summary>
public sealed class PostgresChatDbContext(DbContextOptions<PostgresChatDbContext> options) : ChatDbContext(options)
{
    /// <summary>
    /// PostgreSQL has no NOCASE: an ICU collation at secondary strength compares "Admin" and "admin" as equal, in
    /// unique indexes too, as SQLite's NOCASE does (and beyond ASCII, which NOCASE does not).
    /// </summary>
    internal const string CaseInsensitiveCollation = "ssechat_case_insensitive";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.HasCollation(CaseInsensitiveCollation, locale: "und-u-ks-level2", provider: "icu", deterministic: false);
        modelBuilder.UseCaseInsensitiveNames(CaseInsensitiveCollation);

        // The seeded room "general" has Id 1, and an identity column does not count rows inserted with their own id:
        // without this the first room an administrator creates would be given 1 again.
        modelBuilder.Entity<Room>().Property(r => r.Id).HasIdentityOptions(startValue: 2);
    }
}
