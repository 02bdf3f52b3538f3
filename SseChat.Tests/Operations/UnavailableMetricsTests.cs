using System.Net;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Operations;

namespace SseChat.Tests.Operations;

/// <summary>A post the database cannot store is counted as rejected for "unavailable".</summary>
/// <remarks>A one-second busy timeout, so that a locked database fails a post quickly instead of after 30 s.</remarks>
[Trait("Database", "SqliteOnly")]
public sealed class UnavailableMetricsTests() : ChatAppTests(connectionOptions: "Default Timeout=1")
{
    [Fact]
    public async Task A_post_the_database_cannot_store_counts_as_rejected_for_unavailable()
    {
        using var instruments = new ChatInstruments(App);
        using var client = App.CreateChatClient();
        await client.GetComposeFormAsync("general");

        await using (await SqliteWriteLock.HoldAsync(App.DatabasePath))
        {
            using var refused = await client.PostMessageAsync("general", "ann", "lost to a locked database");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        Assert.Equal(1, instruments.Observe("ssechat.posts.rejected", ChatMetrics.ReasonTag, "unavailable"));
        Assert.Equal(0, instruments.Observe("ssechat.events.persisted", ChatMetrics.EventTypeTag, "message"));
    }
}
