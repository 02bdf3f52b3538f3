using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Security;

/// <summary>
/// Open streams are capped per client address (429) and in total (503). The refusal comes before any
/// text/event-stream, so EventSource stops instead of retrying in a hot loop, and a closed stream frees its place.
/// </summary>
public sealed class StreamCapTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["Chat:MaxStreamsPerClient"] = "2",
    ["Chat:MaxStreams"] = "3",
})
{
    [Fact]
    public async Task Streams_beyond_the_per_client_and_total_caps_are_refused_until_one_closes()
    {
        var admission = App.Services.GetRequiredService<StreamAdmission>();
        using var neighbour = new SocketsHttpHandler { ConnectCallback = LoopbackSource.ConnectFrom(LoopbackSource.OtherClient) };
        var first = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");
        await using var second = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");

        await AssertRefusedAsync(null, HttpStatusCode.TooManyRequests);

        // Another address still gets in, up to the server's total of 3; then everyone is refused with 503.
        await using var third = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", handler: neighbour);
        await AssertRefusedAsync(LoopbackSource.OtherClient, HttpStatusCode.ServiceUnavailable);
        await AssertRefusedAsync(null, HttpStatusCode.ServiceUnavailable);

        // The refused ones held nothing, and a stream that ends gives its place back.
        Assert.Equal(3, admission.Open);
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => admission.Open == 2, "the closed stream's place given back", TimeSpan.FromSeconds(10));
        await using var again = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");
        using var client = App.CreateChatClient();
        var message = await client.SendAsync("general", "ann", "still live");
        Assert.Equal(message, SseSubscriber.ParseMessage(await again.NextAsync()));
    }

    private async Task AssertRefusedAsync(IPAddress? from, HttpStatusCode expected)
    {
        using var handler = new SocketsHttpHandler();
        if (from is not null)
        {
            handler.ConnectCallback = LoopbackSource.ConnectFrom(from);
        }
        using var http = new HttpClient(handler) { BaseAddress = App.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "stream/general?after=0");
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var refused = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(expected, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta); // the retry: interval
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal((int)expected, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
    }
}
