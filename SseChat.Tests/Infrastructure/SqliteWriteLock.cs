using Microsoft.Data.Sqlite;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// Another process's write transaction on the app's database file: while held, the app's writer cannot commit,
/// which is how a locked or failing database looks from inside the app.
/// </summary>
public sealed class SqliteWriteLock : IAsyncDisposable
{
    private readonly SqliteConnection connection;

    private SqliteWriteLock(SqliteConnection connection) => this.connection = connection;

    public static async Task<SqliteWriteLock> HoldAsync(string databasePath)
    {
        var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        await ExecuteAsync(connection, "BEGIN IMMEDIATE;");
        return new SqliteWriteLock(connection);
    }

    public async ValueTask DisposeAsync()
    {
        await ExecuteAsync(connection, "ROLLBACK;");
        await connection.DisposeAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
