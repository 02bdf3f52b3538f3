using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Data;

namespace SseChat.Tests.Data;

/// <summary>A database written by an older version is migrated so that its records read like new ones.</summary>
[Trait("Database", "SqliteOnly")]
public sealed class AuditDetailsMigrationTests : ChatAppTests
{
    [Fact]
    public async Task Audit_details_written_as_English_phrases_by_older_versions_become_the_datum_alone()
    {
        var options = new DbContextOptionsBuilder<SqliteChatDbContext>().UseSqlite($"Data Source={App.DatabasePath}").Options;
        await using (var old = new SqliteChatDbContext(options))
        {
            await old.GetService<IMigrator>()
                .MigrateAsync("20261125152053_AddAuthorIsAdmin");
            // As the version before recorded them.
            await old.Database.ExecuteSqlRawAsync("""
                INSERT INTO "AuditEntries" ("At", "Actor", "Action", "Target", "Detail") VALUES
                    ('2026-11-30 10:00:00', 'root', 1, '', 'from 192.0.2.1'),
                    ('2026-11-30 10:00:01', '(unknown name)', 2, '', 'from an unknown address'),
                    ('2026-11-30 10:00:02', 'root', 10, 'lobby', 'name "The "big" lobby"'),
                    ('2026-11-30 10:00:03', 'root', 11, 'lobby', 'name "Lobby"'),
                    ('2026-11-30 10:00:04', 'root', 12, 'lobby', ''),
                    ('2026-11-30 10:00:05', 'root', 20, 'lobby#3', 'by bob'),
                    ('2026-11-30 10:00:06', 'root', 14, 'lobby', '12 events');
                """);
        }
        SqliteConnection.ClearAllPools(); // let the app open the file afresh

        _ = App.BaseAddress; // the app migrates the rest at start-up

        await using var db = App.CreateDbContext();
        var details = await db.AuditEntries.Where(e => e.At < new DateTime(2026, 12, 1)).OrderBy(e => e.Id).Select(e => e.Detail).ToListAsync();
        Assert.Equal(["192.0.2.1", "", "The \"big\" lobby", "Lobby", "", "bob", "12"], details);
    }
}
