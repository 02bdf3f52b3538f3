using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

public sealed class PostingTests : ChatAppTests
{
    [Fact]
    public async Task Json_post_returns_201_with_the_committed_message()
    {
        using var client = App.CreateChatClient();
        var before = DateTime.UtcNow;

        using var response = await client.PostMessageAsync("general", "  Ann  ", "hello");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var message = await response.Content.ReadFromJsonAsync<ChatMessage>();
        Assert.Equal(new ChatMessage(1, "Ann", "hello", message!.SentAt), message);
        Assert.Equal(DateTimeKind.Utc, message.SentAt.Kind);
        Assert.InRange(message.SentAt, before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["seq", "author", "text", "sentAt"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.EndsWith("Z", json.RootElement.GetProperty("sentAt").GetString(), StringComparison.Ordinal);

        await using var db = App.CreateDbContext();
        var stored = await db.RoomEvents.SingleAsync();
        Assert.Equal(("Ann", "hello", 1L), (stored.Author, stored.Text, stored.Seq));
        Assert.Equal(1, (await db.Rooms.SingleAsync(r => r.Slug == "general")).LastSeq);
    }

    [Fact]
    public async Task Form_post_without_json_redirects_303_to_the_room()
    {
        using var client = App.CreateChatClient();

        using var response = await client.PostMessageAsync("general", "ann", "no script here", acceptJson: false);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/rooms/general", response.Headers.Location?.OriginalString);
        await using var db = App.CreateDbContext();
        Assert.Equal("no script here", (await db.RoomEvents.SingleAsync()).Text);
    }

    [Fact]
    public async Task Repeated_clientMessageId_stores_nothing_and_returns_the_stored_message()
    {
        using var client = App.CreateChatClient();
        var first = await client.SendAsync("general", "ann", "only once", clientMessageId: "c-123");

        using var retry = await client.PostMessageAsync("general", "ann", "only once", clientMessageId: "c-123");

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(first, await retry.Content.ReadFromJsonAsync<ChatMessage>());
        var other = await client.SendAsync("general", "ann", "different id", clientMessageId: "c-124");
        Assert.Equal(2, other.Seq);
        await using var db = App.CreateDbContext();
        Assert.Equal(2, await db.RoomEvents.CountAsync());
    }

    [Fact]
    public async Task Concurrent_retries_with_one_clientMessageId_store_one_message()
    {
        using var client = App.CreateChatClient();
        await client.GetComposeFormAsync("general");

        var responses = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(_ => client.PostMessageAsync("general", "ann", "flaky network", clientMessageId: "same")));

        var messages = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<ChatMessage>()));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK));
        Assert.Single(messages.Select(m => m!.Seq).Distinct());
        await using var db = App.CreateDbContext();
        Assert.Equal(1, await db.RoomEvents.CountAsync());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task The_same_clientMessageId_in_another_room_is_another_message()
    {
        await App.AddRoomAsync("other");
        using var client = App.CreateChatClient();

        var inGeneral = await client.SendAsync("general", "ann", "hi", clientMessageId: "c-1");
        var inOther = await client.SendAsync("other", "ann", "hi", clientMessageId: "c-1");

        Assert.Equal((1L, 1L), (inGeneral.Seq, inOther.Seq));
    }

    public static TheoryData<string, string, string?, string> InvalidPosts => new()
    {
        { "", "hi", null, "author" },
        { "   ", "hi", null, "author" },
        { new string('a', 33), "hi", null, "author" },
        { "ann\nbob", "hi", null, "author" },
        { "ann", "", null, "text" },
        { "ann", " \n\t ", null, "text" },
        { "ann", new string('x', 4001), null, "text" },
        { "ann", "bell \u0007", null, "text" },
        { "ann", "hi", new string('c', 65), "clientMessageId" },
        { "ann", "hi", "has space", "clientMessageId" },
    };

    [Theory]
    [MemberData(nameof(InvalidPosts))]
    public async Task Invalid_fields_get_a_400_problem_naming_the_field_and_store_nothing(
        string author, string text, string? clientMessageId, string field)
    {
        using var client = App.CreateChatClient();

        using var response = await client.PostMessageAsync("general", author, text, clientMessageId);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
        Assert.False(string.IsNullOrWhiteSpace(errors.GetProperty(field)[0].GetString()));
        await using var db = App.CreateDbContext();
        Assert.Equal(0, await db.RoomEvents.CountAsync());
    }

    [Theory]
    [InlineData("nul \0 inside")]
    [InlineData("escape \u001b[31m")]
    public async Task Control_characters_in_a_multipart_post_are_refused_naming_the_field(string text)
    {
        using var client = App.CreateChatClient();
        var (action, fields) = await client.GetComposeFormAsync("general");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(fields["__RequestVerificationToken"]), "__RequestVerificationToken" },
            { new StringContent("ann"), "author" },
            { new StringContent(text), "text" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = form };
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["text"], problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task Nul_in_a_urlencoded_form_is_refused_by_the_form_reader_with_a_400_problem()
    {
        using var client = App.CreateChatClient();

        using var response = await client.PostMessageAsync("general", "ann", "nul \0 inside");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        await using var db = App.CreateDbContext();
        Assert.Equal(0, await db.RoomEvents.CountAsync());
    }

    [Fact]
    public async Task Limits_are_inclusive_32_char_author_and_4000_char_text()
    {
        using var client = App.CreateChatClient();
        var author = new string('a', 32);
        var text = new string('x', 4000);

        var message = await client.SendAsync("general", author, text);

        Assert.Equal((author, text), (message.Author, message.Text));
    }

    [Fact]
    public async Task Text_length_is_judged_after_trimming_but_text_is_stored_as_sent()
    {
        using var client = App.CreateChatClient();
        var text = "\n  " + new string('x', 4000) + "  \r\n";

        var message = await client.SendAsync("general", "ann", text);

        Assert.Equal(text, message.Text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("CfDJ8forged-token-value")]
    public async Task Post_without_a_valid_antiforgery_token_is_refused_with_400(string? token)
    {
        using var client = App.CreateChatClient();
        await client.GetComposeFormAsync("general"); // the cookie half of the pair is present
        var fields = new Dictionary<string, string> { ["author"] = "mallory", ["text"] = "forged" };
        if (token is not null)
        {
            fields["__RequestVerificationToken"] = token;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "rooms/general/messages")
        {
            Content = new FormUrlEncodedContent(fields),
        };
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // What a page's script tells this refusal by (to fetch a fresh token), rather than by its words.
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("antiforgery", problem.RootElement.GetProperty("code").GetString());
        await using var db = App.CreateDbContext();
        Assert.Equal(0, await db.RoomEvents.CountAsync());
    }

    [Fact]
    public async Task Token_endpoint_gives_a_fresh_token_that_posts_and_is_never_stored_by_caches()
    {
        using var client = App.CreateChatClient();
        var (_, fields) = await client.GetComposeFormAsync("general");

        using var answer = await client.Http.GetAsync("rooms/general/token");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.True(answer.Headers.CacheControl?.NoStore, $"Cache-Control: {answer.Headers.CacheControl}");
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(["token"], json.RootElement.EnumerateObject().Select(p => p.Name));
        fields["__RequestVerificationToken"] = json.RootElement.GetProperty("token").GetString()!;
        fields["author"] = "ann";
        fields["text"] = "with a fresh token";
        using var request = new HttpRequestMessage(HttpMethod.Post, "rooms/general/messages")
        {
            Content = new FormUrlEncodedContent(fields),
        };
        request.Headers.Accept.ParseAdd("application/json");
        using var posted = await client.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);

        using var unknown = await client.Http.GetAsync("rooms/nowhere/token");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Post_to_an_unknown_room_is_404()
    {
        using var client = App.CreateChatClient();
        var (_, fields) = await client.GetComposeFormAsync("general");
        fields["author"] = "ann";
        fields["text"] = "hello?";
        using var request = new HttpRequestMessage(HttpMethod.Post, "rooms/nowhere/messages")
        {
            Content = new FormUrlEncodedContent(fields),
        };
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
