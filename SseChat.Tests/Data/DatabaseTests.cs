using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Data;

namespace SseChat.Tests.Data;

public sealed class DatabaseTests : IAsyncLifetime
{
    private readonly ChatApplication app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task First_start_creates_and_migrates_the_file_and_seeds_room_general()
    {
        _ = app.BaseAddress; // starts the app

        Assert.True(File.Exists(app.DatabasePath));
        await using var db = app.CreateDbContext();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        var general = await db.Rooms.SingleAsync();
        Assert.Equal((Room.GeneralSlug, 0L), (general.Slug, general.LastSeq));
    }

    [Fact]
    public async Task Connections_run_in_WAL_mode_with_full_synchronous_commits()
    {
        _ = app.BaseAddress;
        await using var db = app.CreateDbContext();
        await db.Database.OpenConnectionAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();

        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        Assert.Equal("2", await ScalarAsync(connection, "PRAGMA synchronous;")); // 2 = FULL
    }

    private static async Task<string?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
