using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Operations;

namespace SseChat.Tests.Security;

/// <summary>
/// Posts and new streams are rate limited per client address with ASP.NET Core's rate limiter: 429, Retry-After and
/// a ProblemDetails body a person can read, nothing stored, and other clients unaffected. Limits lowered for the test.
/// </summary>
public sealed class RateLimitTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["RateLimits:PostPermitLimit"] = "3",
    ["RateLimits:PostWindow"] = "00:01:00",
    ["RateLimits:StreamPermitLimit"] = "2",
    ["RateLimits:StreamWindow"] = "00:01:00",
})
{
    [Fact]
    public async Task Posts_beyond_the_limit_get_429_with_Retry_After_and_a_readable_problem_and_are_not_stored()
    {
        using var instruments = new ChatInstruments(App);
        using var client = App.CreateChatClient();
        for (var i = 1; i <= 3; i++)
        {
            await client.SendAsync("general", "ann", $"within the limit {i}");
        }

        using var refused = await client.PostMessageAsync("general", "ann", "one too many");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
        // The composer shows the detail as it is: it must tell the person what to do.
        Assert.Contains("Wait", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, instruments.Observe("ssechat.posts.rejected", ChatMetrics.ReasonTag, "rate_limit"));

        await using var db = App.CreateDbContext();
        Assert.Equal(3, await db.RoomEvents.CountAsync());

        // Another client address has its own allowance.
        using var neighbour = new ChatClient(App.BaseAddress, handler => handler.ConnectCallback = LoopbackSource.ConnectFrom(LoopbackSource.OtherClient));
        var stored = await neighbour.SendAsync("general", "bob", "from another address");
        Assert.Equal(4, stored.Seq);
    }

    [Fact]
    public async Task A_page_posting_too_fast_gets_the_friendly_error_page()
    {
        using var client = App.CreateChatClient();
        for (var i = 1; i <= 3; i++)
        {
            using var accepted = await client.PostMessageAsync("general", "ann", $"form post {i}", acceptJson: false);
            Assert.Equal(HttpStatusCode.SeeOther, accepted.StatusCode);
        }
        var (action, fields) = await client.GetComposeFormAsync("general");
        fields["author"] = "ann";
        fields["text"] = "one too many";
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Accept.ParseAdd("text/html");

        using var refused = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_streams_beyond_the_limit_are_refused_with_429_before_any_event_stream()
    {
        await using var first = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");
        await using var second = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");
        using var http = new HttpClient { BaseAddress = App.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "stream/general");
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var refused = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
    }
}
