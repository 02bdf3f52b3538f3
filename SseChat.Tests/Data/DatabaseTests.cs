using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Data;

namespace SseChat.Tests.Data;

public sealed class DatabaseTests : ChatAppTests
{
    [Fact]
    public async Task First_start_creates_and_migrates_the_database_and_seeds_room_general()
    {
        _ = App.BaseAddress; // starts the app

        Assert.True(App.IsPostgres || File.Exists(App.DatabasePath), "No SQLite file was created.");
        await using var db = App.CreateDbContext();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        var general = await db.Rooms.SingleAsync();
        Assert.Equal((Room.GeneralSlug, 0L), (general.Slug, general.LastSeq));
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task Every_connection_runs_in_WAL_mode_with_full_synchronous_commits()
    {
        _ = App.BaseAddress;
        await using (var db = App.CreateDbContext())
        {
            await db.Database.OpenConnectionAsync();
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
            // Loosen it on this connection; closing returns the very same connection to the pool.
            await ScalarAsync(connection, "PRAGMA synchronous=OFF;");
        }

        await using var reopened = App.CreateDbContext();
        await reopened.Database.OpenConnectionAsync();
        var pooled = (SqliteConnection)reopened.Database.GetDbConnection();
        Assert.Equal("2", await ScalarAsync(pooled, "PRAGMA synchronous;")); // 2 = FULL, set again on every open
    }

    private static async Task<string?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
