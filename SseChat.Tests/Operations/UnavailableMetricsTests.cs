using System.Net;
using Microsoft.Data.Sqlite;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Operations;

namespace SseChat.Tests.Operations;

/// <summary>A post the database cannot store is counted as rejected for "unavailable".</summary>
public sealed class UnavailableMetricsTests : IAsyncLifetime
{
    // A one-second busy timeout, so that a locked database fails a post quickly.
    private readonly ChatApplication app = new(new Dictionary<string, string?>(), connectionOptions: "Default Timeout=1");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_post_the_database_cannot_store_counts_as_rejected_for_unavailable()
    {
        using var instruments = new ChatInstruments(app);
        using var client = app.CreateChatClient();
        await client.GetComposeFormAsync("general");

        await using (var intruder = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False"))
        {
            await intruder.OpenAsync();
            await using var hold = intruder.CreateCommand();
            hold.CommandText = "BEGIN IMMEDIATE;";
            await hold.ExecuteNonQueryAsync();

            using var refused = await client.PostMessageAsync("general", "ann", "lost to a locked database");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);

            hold.CommandText = "ROLLBACK;";
            await hold.ExecuteNonQueryAsync();
        }

        Assert.Equal(1, instruments.Observe("ssechat.posts.rejected", ChatMetrics.ReasonTag, "unavailable"));
        Assert.Equal(0, instruments.Observe("ssechat.events.persisted", ChatMetrics.EventTypeTag, "message"));
    }
}
