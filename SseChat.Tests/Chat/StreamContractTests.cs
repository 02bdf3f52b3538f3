using System.Net;
using System.Text;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

public sealed class StreamContractTests : IAsyncLifetime
{
    private readonly ChatApplication app = new(new Dictionary<string, string?>
    {
        ["Chat:HeartbeatInterval"] = "00:00:01",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Stream_starts_at_once_with_a_retry_line_and_event_stream_headers()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var response = await http.GetAsync("stream/general", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.Equal("no", Assert.Single(response.Headers.GetValues("X-Accel-Buffering")));
        Assert.Null(response.Content.Headers.ContentEncoding.FirstOrDefault());

        // Nothing has been posted, so these bytes can only be the stream's opening, flushed at once.
        await using var body = await response.Content.ReadAsStreamAsync();
        var opening = await ReadAtLeastAsync(body, "retry: 3000\n\n".Length, TimeSpan.FromSeconds(5));
        Assert.Equal("retry: 3000\n\n", opening);
    }

    private static async Task<string> ReadAtLeastAsync(Stream body, int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[count];
        await body.ReadExactlyAsync(buffer, cts.Token);
        return Encoding.UTF8.GetString(buffer);
    }

    [Fact]
    public async Task Reconnect_with_LastEventId_replays_only_missed_events()
    {
        using var client = app.CreateChatClient();
        await using (var first = await SseSubscriber.ConnectAsync(app.BaseAddress, "general", after: "0"))
        {
            await client.SendAsync("general", "ann", "one");
            await client.SendAsync("general", "ann", "two");
            var seen = await first.ReadMessagesThroughAsync(2);
            Assert.Equal([1L, 2L], seen.Select(m => m.Seq));
            Assert.Equal("2", first.LastEventId);
        }

        await client.SendAsync("general", "bob", "three");
        await client.SendAsync("general", "bob", "four");

        await using var resumed = await SseSubscriber.ConnectAsync(app.BaseAddress, "general", lastEventId: "2", after: "0");
        var missed = await resumed.ReadMessagesThroughAsync(4);
        Assert.Equal([3L, 4L], missed.Select(m => m.Seq));
        Assert.Equal(["three", "four"], missed.Select(m => m.Text));
    }
}
