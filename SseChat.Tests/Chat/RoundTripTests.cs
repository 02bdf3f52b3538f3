using System.Net.Http.Json;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

/// <summary>Invariant 2: awkward text comes back unchanged through POST, stream, history page and JSON.</summary>
public sealed class RoundTripTests : ChatAppTests
{
    public static TheoryData<string> AwkwardTexts => new()
    {
        "first line\nsecond line",
        "carriage\rreturn and\r\nwindows line",
        "\n\ndata: x",
        "id: 999\nevent: reset\n\ndata: {\"seq\":1}",
        "emoji 😀👍🏽 cjk 你好世界 rtl مرحبا שלום",
        "  leading and trailing whitespace\t ",
        "\"quotes\" & <tags> \\ backslash ' apostrophe",
        string.Concat(Enumerable.Repeat("a😀\n", 1000)), // exactly 4000 UTF-16 chars, the limit
    };

    [Theory]
    [MemberData(nameof(AwkwardTexts))]
    public async Task Text_round_trips_unchanged_through_post_stream_page_and_json(string text)
    {
        Assert.True(text.Length <= MessageLimits.TextMaxLength);
        using var client = App.CreateChatClient();
        await using var subscriber = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", after: "0");

        var posted = await client.SendAsync("general", "ann", text);
        Assert.Equal(text, posted.Text);

        var streamed = Assert.Single(await subscriber.ReadMessagesThroughAsync(posted.Seq));
        Assert.Equal(posted, streamed);

        var page = await client.GetDocumentAsync("rooms/general");
        var rendered = page.QuerySelector($"#messages > li[data-seq='{posted.Seq}'] .message-text");
        Assert.Equal(text, rendered?.TextContent);

        var history = await client.Http.GetFromJsonAsync<List<ChatMessage>>("rooms/general/messages");
        Assert.Equal(posted, Assert.Single(history!));
    }
}
