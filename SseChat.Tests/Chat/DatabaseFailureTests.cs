using System.Net;
using System.Text.Json;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

/// <summary>When the database cannot store a post: a clear 503, nothing broadcast, and recovery afterwards.</summary>
// A one-second busy timeout, so that a locked database fails a post quickly instead of after 30 s.
[Trait("Database", "SqliteOnly")]
public sealed class DatabaseFailureTests() : ChatAppTests(connectionOptions: "Default Timeout=1")
{
    [Fact]
    public async Task Post_the_database_cannot_store_gets_503_is_never_broadcast_and_the_writer_recovers()
    {
        using var client = App.CreateChatClient();
        await client.GetComposeFormAsync("general");
        await using var subscriber = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", after: "0");

        // Another process holds SQLite's write lock for longer than the app is willing to wait.
        await using (await SqliteWriteLock.HoldAsync(App.DatabasePath))
        {
            using var refused = await client.PostMessageAsync("general", "ann", "lost to a locked database");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        }

        // The same writer goes on, and the refused post left no hole in the sequence.
        var stored = await client.SendAsync("general", "ann", "after the lock");
        Assert.Equal(1, stored.Seq);
        var streamed = SseSubscriber.ParseMessage(await subscriber.NextAsync());
        Assert.Equal(stored, streamed);
    }
}
