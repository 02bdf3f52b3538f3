using Microsoft.Extensions.Options;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Web;

public sealed class OptionsTests
{
    [Theory]
    [InlineData("Chat:SubscriberBufferSize", "0")]
    [InlineData("Chat:HeartbeatInterval", "00:00:00")]
    [InlineData("Chat:HistoryPageSize", "-5")]
    [InlineData("Chat:RoomPageMessageCap", "1")]
    [InlineData("Chat:RoomListRefreshInterval", "00:00:00.500")]
    [InlineData("Chat:PresenceLeaveGrace", "-00:00:01")]
    [InlineData("Chat:PresenceMaxNames", "0")]
    [InlineData("Chat:TypingExpiry", "00:00:00")]
    [InlineData("RateLimits:TypingPermitLimit", "0")]
    [InlineData("RateLimits:TypingWindow", "00:00:00")]
    [InlineData("Chat:MaxConcurrentReplays", "0")]
    [InlineData("Chat:MaxStreams", "0")]
    [InlineData("RateLimits:PostPermitLimit", "0")]
    [InlineData("RateLimits:StreamWindow", "00:00:00")]
    [InlineData("SecurityHeaders:ReferrerPolicy", "whatever-you-like")]
    [InlineData("SecurityHeaders:ContentSecurityPolicy", "")]
    [InlineData("Languages:AcceptLanguageValuesToTry", "0")]
    [InlineData("Chat:StreamFlushThreshold", "100")]
    [InlineData("Chat:StreamDrainTimeout", "00:00:00")]
    [InlineData("Kestrel:Limits:MaxRequestBodySize", "1000")]
    [InlineData("Kestrel:Limits:MaxRequestLineSize", "0")]
    [InlineData("Kestrel:Limits:MaxRequestHeadersTotalSize", "-1")]
    public async Task Invalid_settings_stop_the_app_at_start_naming_the_setting(string key, string value)
    {
        await using var app = new ChatApplication(new Dictionary<string, string?> { [key] = value });

        var failure = Assert.Throws<OptionsValidationException>(() => app.BaseAddress);

        Assert.Contains(key.Split(':')[^1], failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_page_size_cannot_exceed_the_largest_page_the_endpoint_serves()
    {
        await using var app = new ChatApplication(new Dictionary<string, string?>
        {
            ["Chat:HistoryPageSize"] = "300",
            ["Chat:HistoryMaxPageSize"] = "200",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => app.BaseAddress);

        Assert.Contains("HistoryPageSize", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_room_page_keeps_at_least_two_history_pages()
    {
        await using var app = new ChatApplication(new Dictionary<string, string?>
        {
            ["Chat:HistoryPageSize"] = "100",
            ["Chat:RoomPageMessageCap"] = "150",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => app.BaseAddress);

        Assert.Contains("RoomPageMessageCap", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stream_cap_per_client_cannot_exceed_the_total()
    {
        await using var app = new ChatApplication(new Dictionary<string, string?>
        {
            ["Chat:MaxStreamsPerClient"] = "500",
            ["Chat:MaxStreams"] = "100",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => app.BaseAddress);

        Assert.Contains("MaxStreamsPerClient", failure.Message, StringComparison.Ordinal);
    }
}
