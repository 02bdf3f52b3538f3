using System.Net;
using Microsoft.Data.Sqlite;
using SseChat.Tests.Infrastructure;

using static SseChat.Tests.Infrastructure.SeqRange;

namespace SseChat.Tests.Chat;

/// <summary>
/// SQLite allows one writer at a time. Concurrent posters, readers and another process writing to the same file
/// (a backup tool, a sqlite3 shell) make the app wait its turn (WAL, the busy timeout, the single writer), never
/// fail: every post is a 201, every read a 200, and the sequence has no hole.
/// </summary>
[Trait("Database", "SqliteOnly")]
public sealed class SqliteContentionTests : ChatAppTests
{
    [Fact]
    public async Task Concurrent_writers_and_an_outside_write_lock_never_surface_as_errors()
    {
        const int posters = 8;
        const int postsEach = 25;
        using var reader = App.CreateChatClient();
        await reader.SendAsync("general", "setup", "first");
        using var stopOutsider = new CancellationTokenSource();
        var outsider = WriteFromOutsideAsync(App.DatabasePath, stopOutsider.Token);

        var posting = Task.WhenAll(Enumerable.Range(0, posters).Select(poster => Task.Run(async () =>
        {
            using var client = App.CreateChatClient();
            for (var i = 0; i < postsEach; i++)
            {
                using var response = await client.PostMessageAsync("general", $"poster{poster}", $"{poster}/{i}");
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        })));
        var reading = Task.Run(async () =>
        {
            for (var i = 0; i < 20 && !posting.IsCompleted; i++)
            {
                using var response = await reader.Http.GetAsync("rooms/general/messages?limit=50");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        });
        // Halfway, another process holds the write lock for a second and a half: posts wait, then go through.
        await Task.Delay(200);
        await using (await SqliteWriteLock.HoldAsync(App.DatabasePath))
        {
            await Task.Delay(1_500);
        }

        await Task.WhenAll(posting, reading).WaitAsync(TimeSpan.FromSeconds(60));
        await stopOutsider.CancelAsync();
        Assert.True(await outsider > 0, "the outside writer never wrote");

        var history = await reader.GetWholeHistoryAsync("general");
        Assert.Equal(Seqs(1, 1 + posters * postsEach), history.Select(m => m.Seq));
        Assert.Equal(posters * postsEach, history.Skip(1).Select(m => m.Text).Distinct().Count());
    }

    /// <summary>Short write transactions on a table of its own, one after another, until stopped; returns how many.</summary>
    private static async Task<int> WriteFromOutsideAsync(string databasePath, CancellationToken stop)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync(CancellationToken.None);
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS outside_noise (at TEXT NOT NULL);";
            await create.ExecuteNonQueryAsync(CancellationToken.None);
        }
        var written = 0;
        while (!stop.IsCancellationRequested && written < 10_000)
        {
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            await using (var insert = connection.CreateCommand())
            {
                insert.CommandText = "INSERT INTO outside_noise (at) VALUES (datetime('now'));";
                await insert.ExecuteNonQueryAsync(CancellationToken.None);
            }
            await Task.Delay(10, CancellationToken.None); // holding the write lock, as a slow tool would
            await transaction.CommitAsync(CancellationToken.None);
            written++;
            await Task.Delay(5, CancellationToken.None);
        }
        return written;
    }
}
