using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

/// <summary>
/// The room page's stream address names the history it was rendered from (its <c>v</c> parameter): a page of a room
/// deleted and created again under the same slug starts afresh with <c>reset</c> instead of resuming into the new
/// room's events, though the new room has passed the seq it remembers (docs/protocol.md).
/// </summary>
public sealed class HistoryVersionTests : ChatAppTests
{
    private const string Slug = "reborn";

    [Fact]
    public async Task Page_of_a_deleted_room_whose_slug_was_created_again_gets_reset_and_the_new_page_resumes()
    {
        using var admin = await AdminSession.SignInAsync(App);
        await CreateRoomAsync(admin);
        using var visitor = App.CreateChatClient();
        var oldAddress = await StreamAddressOfPageAsync(visitor);
        for (var i = 1; i <= 3; i++)
        {
            await visitor.SendAsync(Slug, "ann", $"old room {i}");
        }
        string oldLastEventId;
        await using (var oldPage = await SseSubscriber.ConnectToAsync(App.BaseAddress, oldAddress))
        {
            await oldPage.ReadMessagesThroughAsync(3);
            oldLastEventId = oldPage.LastEventId!;
        }
        Assert.Equal("3", oldLastEventId);

        using (var deleted = await admin.SubmitFormAsync($"admin/rooms/{Slug}/delete", $"form[action='/admin/rooms/{Slug}/delete']",
                   new Dictionary<string, string> { ["ConfirmSlug"] = Slug }))
        {
            Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        }
        await CreateRoomAsync(admin);
        // The new room passes the old page's seq: that the client is "ahead" can no longer give it away.
        for (var i = 1; i <= 5; i++)
        {
            await visitor.SendAsync(Slug, "bob", $"new room {i}");
        }
        var newAddress = await StreamAddressOfPageAsync(visitor);
        Assert.NotEqual(oldAddress, newAddress);

        // The old page's EventSource reconnects: same address, its Last-Event-ID.
        await using (var oldPage = await SseSubscriber.ConnectToAsync(App.BaseAddress, oldAddress, oldLastEventId))
        {
            var reset = await oldPage.NextAsync();
            Assert.Equal(SseFrames.ResetEventType, reset.EventType);
            Assert.True(string.IsNullOrEmpty(reset.EventId), $"reset carried id {reset.EventId}");
            Assert.Equal("""{"lastSeq":5}""", reset.Data);
            // Nothing of the new room is replayed to it: the next event is the next live one.
            var next = await visitor.SendAsync(Slug, "bob", "live after the reset");
            Assert.Equal(next, SseSubscriber.ParseMessage(await oldPage.NextAsync()));
        }

        // A page of the new room resumes as always, and so does a client that names no history.
        await using (var newPage = await SseSubscriber.ConnectToAsync(App.BaseAddress, newAddress, "3"))
        {
            Assert.Equal(["new room 4", "new room 5", "live after the reset"], (await newPage.ReadMessagesThroughAsync(6)).Select(m => m.Text));
        }
        await using (var unversioned = await SseSubscriber.ConnectAsync(App.BaseAddress, Slug, lastEventId: "3"))
        {
            Assert.Equal(4, SseSubscriber.ParseMessage(await unversioned.NextAsync()).Seq);
        }
    }

    [Theory]
    [InlineData("xyz")]
    [InlineData("0123456789abcde")]
    [InlineData("0123456789abcdef0")]
    [InlineData("0123456789ABCDEF")]
    public async Task Malformed_history_version_is_refused_with_400_in_the_visitors_language(string version)
    {
        // A stream that wrongly opened would never end: read headers only, and give up soon.
        using var http = new HttpClient { BaseAddress = App.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var address = $"stream/general?after=0&v={Uri.EscapeDataString(version)}";

        using var english = await http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.BadRequest, english.StatusCode);
        Assert.Equal("application/problem+json", english.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "v must be the history version of a room page's stream address: 16 hexadecimal digits (0-9, a-f).",
            await ErrorOfAsync(english));

        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("zh-CN"));
        using var chinese = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.BadRequest, chinese.StatusCode);
        Assert.Equal("v 必须是聊天室页面流地址中的历史版本：16 位十六进制数字（0-9、a-f）。", await ErrorOfAsync(chinese));
    }

    private static async Task<string?> ErrorOfAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("errors").GetProperty("v").EnumerateArray().Single().GetString();
    }

    private static async Task CreateRoomAsync(AdminSession admin)
    {
        using var created = await admin.SubmitFormAsync("admin/rooms/new", "form#room-form", new Dictionary<string, string>
        {
            ["Name"] = "Reborn",
            ["Slug"] = Slug,
            ["Topic"] = "",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
    }

    private static async Task<string> StreamAddressOfPageAsync(ChatClient client)
    {
        var page = await client.GetDocumentAsync($"rooms/{Slug}");
        var address = page.GetElementById("room")!.GetAttribute("data-stream-url")!;
        Assert.Matches("[?&]v=[0-9a-f]{16}(&|$)", address);
        return address;
    }
}
