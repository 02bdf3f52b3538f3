using Microsoft.EntityFrameworkCore;
using SseChat.Web.Data;

namespace SseChat.Tests.Data;

/// <summary>
/// Each provider has its own migrations set; a model change that one of them lacks would make the app refuse to start
/// on that provider (EF Core's Migrate throws on pending model changes), so it is caught here instead, on both.
/// </summary>
public sealed class MigrationSetsTests
{
    [Fact]
    public void The_SQLite_migrations_match_the_model()
    {
        using var db = new SqliteDesignTimeContext().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "run: dotnet ef migrations add <Name> --context SqliteChatDbContext --output-dir Data/Migrations/Sqlite");
        Assert.NotEmpty(db.Database.GetMigrations());
    }

    [Fact]
    public void The_PostgreSQL_migrations_match_the_model()
    {
        using var db = new PostgresDesignTimeContext().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "run: dotnet ef migrations add <Name> --context PostgresChatDbContext --output-dir Data/Migrations/Postgres");
        Assert.NotEmpty(db.Database.GetMigrations());
    }
}
