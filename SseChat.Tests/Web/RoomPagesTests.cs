using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Web;

public sealed class RoomPagesTests : ChatAppTests
{
    [Fact]
    public async Task Home_lists_every_room_linking_to_its_page_with_names_encoded()
    {
        await using (var db = App.CreateDbContext())
        {
            db.Rooms.Add(new SseChat.Web.Data.Room
            {
                Slug = "xss-room",
                Name = "<img src=x onerror=alert(1)>",
                Topic = "<script>alert(2)</script>",
                CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        using var client = App.CreateChatClient();

        using var response = await client.Http.GetAsync("");
        var html = await response.Content.ReadAsStringAsync();
        var page = await ChatClient.ParseHtmlAsync(html);

        var links = page.QuerySelectorAll<IHtmlAnchorElement>("#rooms a").ToList();
        Assert.Equal(["/rooms/general", "/rooms/xss-room"], links.Select(a => a.GetAttribute("href")).Order());
        Assert.Contains(links, a => a.TextContent.Contains("<img src=x onerror=alert(1)>", StringComparison.Ordinal));
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(2)", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Room_list_json_gives_each_rooms_latest_seq_and_online_count()
    {
        await App.AddRoomAsync("quiet");
        using var client = App.CreateChatClient();
        var sent = await client.SendAsync("general", "ann", "hello");
        await using var listener = await SseSubscriber.ConnectAsync(App.BaseAddress, "general",
            visitor: new SseChat.Web.Chat.StreamVisitor("client-ann", "ann"), includeEphemeral: true);
        await listener.NextAsync(); // the stream is open, so ann counts as online

        using var request = new HttpRequestMessage(HttpMethod.Get, "rooms");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var rooms = json.RootElement.EnumerateArray().ToDictionary(room => room.GetProperty("slug").GetString()!);
        Assert.Equal(["general", "quiet"], rooms.Keys.Order());
        Assert.Equal(sent.Seq, rooms["general"].GetProperty("lastSeq").GetInt64());
        Assert.Equal(1, rooms["general"].GetProperty("online").GetInt32());
        Assert.Equal(0, rooms["quiet"].GetProperty("online").GetInt32());
        Assert.False(rooms["quiet"].GetProperty("archived").GetBoolean());
        Assert.False(rooms["general"].TryGetProperty("id", out _));
    }

    [Fact]
    public async Task Room_page_renders_the_last_50_messages_encoded_the_form_and_the_stream_resume_point()
    {
        using var client = App.CreateChatClient();
        for (var i = 1; i <= 54; i++)
        {
            await client.SendAsync("general", "ann", $"message {i}");
        }
        await client.SendAsync("general", "<b>mallory</b>", "<script>alert(1)</script>");

        using var response = await client.Http.GetAsync("rooms/general");
        var html = await response.Content.ReadAsStringAsync();
        var page = await ChatClient.ParseHtmlAsync(html);

        var items = page.QuerySelectorAll("#messages > li.message").ToList();
        Assert.Equal(Enumerable.Range(6, 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            items.Select(li => li.GetAttribute("data-seq")));
        Assert.Equal("<script>alert(1)</script>", items[^1].QuerySelector(".message-text")!.TextContent);
        Assert.Equal("<b>mallory</b>", items[^1].QuerySelector(".message-author")!.TextContent);
        Assert.DoesNotContain("<script>alert(1)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>mallory", html, StringComparison.Ordinal);
        Assert.EndsWith("Z", items[0].QuerySelector("time")!.GetAttribute("datetime"), StringComparison.Ordinal);

        var form = page.QuerySelector<IHtmlFormElement>("form#composer")!;
        Assert.Equal("post", form.Method);
        Assert.Equal("/rooms/general/messages", form.GetAttribute("action"));
        Assert.NotNull(form.QuerySelector("input[name=author]"));
        Assert.NotNull(form.QuerySelector("textarea[name=text]"));
        var token = form.QuerySelector<IHtmlInputElement>("input[type=hidden][name=__RequestVerificationToken]");
        Assert.False(string.IsNullOrEmpty(token?.Value));

        var room = page.GetElementById("room")!;
        // After the last seq shown, in the history the page shows (docs/protocol.md, "Resuming across a restore ...").
        var version = room.GetAttribute("data-history-version")!;
        Assert.Matches("^[0-9a-f]{16}$", version);
        Assert.Equal($"/stream/general?after=55&v={version}", room.GetAttribute("data-stream-url"));
        Assert.False(page.GetElementById("load-older")!.HasAttribute("hidden"));
        Assert.Contains(page.QuerySelectorAll<IHtmlScriptElement>("script[type=module]"),
            s => s.Source!.Contains("/js/room.js", StringComparison.Ordinal));
        // The live-message template is the same partial as the history items.
        var template = page.QuerySelector<IHtmlTemplateElement>("template#message-template")!;
        Assert.NotNull(template.Content.QuerySelector("li.message .message-author"));
        Assert.NotNull(template.Content.QuerySelector("li.message .message-text"));
    }

    [Fact]
    public async Task Empty_room_page_streams_from_zero_and_offers_no_older_messages()
    {
        using var client = App.CreateChatClient();

        var page = await client.GetDocumentAsync("rooms/general");

        Assert.StartsWith("/stream/general?after=0&v=", page.GetElementById("room")!.GetAttribute("data-stream-url"), StringComparison.Ordinal);
        Assert.Empty(page.QuerySelectorAll("#messages > li"));
        Assert.True(page.GetElementById("load-older")!.HasAttribute("hidden"));
    }

    [Fact]
    public async Task Unknown_room_is_404_as_a_page_for_browsers_and_a_problem_otherwise()
    {
        using var client = App.CreateChatClient();

        using var pageRequest = new HttpRequestMessage(HttpMethod.Get, "rooms/no-such-room");
        pageRequest.Headers.Accept.ParseAdd("text/html");
        using var page = await client.Http.SendAsync(pageRequest);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);

        using var api = await client.Http.GetAsync("rooms/no-such-room/messages");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);

        using var badSlug = await client.Http.GetAsync("rooms/Not_A_Slug");
        Assert.Equal(HttpStatusCode.NotFound, badSlug.StatusCode);
    }
}
