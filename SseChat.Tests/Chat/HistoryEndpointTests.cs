using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

public sealed class HistoryEndpointTests : ChatAppTests
{
    private async Task<ChatClient> ClientWithMessagesAsync(int count)
    {
        var client = App.CreateChatClient();
        for (var i = 1; i <= count; i++)
        {
            await client.SendAsync("general", "ann", $"m{i}");
        }
        return client;
    }

    private static IEnumerable<long> Seqs(int from, int count) => Enumerable.Range(from, count).Select(i => (long)i);

    [Fact]
    public async Task History_pages_backwards_and_returns_each_page_oldest_first()
    {
        using var client = await ClientWithMessagesAsync(120);

        var latest = await client.Http.GetFromJsonAsync<List<ChatMessage>>("rooms/general/messages");
        Assert.Equal(Seqs(71, 50), latest!.Select(m => m.Seq));
        Assert.Equal("m71", latest![0].Text);

        var older = await client.Http.GetFromJsonAsync<List<ChatMessage>>("rooms/general/messages?before=71&limit=30");
        Assert.Equal(Seqs(41, 30), older!.Select(m => m.Seq));

        var oldest = await client.Http.GetFromJsonAsync<List<ChatMessage>>("rooms/general/messages?before=5&limit=200");
        Assert.Equal(Seqs(1, 4), oldest!.Select(m => m.Seq));

        var none = await client.Http.GetFromJsonAsync<List<ChatMessage>>("rooms/general/messages?before=1");
        Assert.Empty(none!);

        using var raw = await client.Http.GetAsync("rooms/general/messages?limit=1");
        Assert.Equal("application/json", raw.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await raw.Content.ReadAsStringAsync());
        Assert.Equal(["seq", "author", "text", "sentAt"], json.RootElement[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task History_json_carries_Chinese_as_UTF8_and_keeps_line_separators_escaped()
    {
        using var client = App.CreateChatClient();
        const string text = "满意\u2028下一行\u2029<b>";
        await client.SendAsync("general", "安", text);

        using var response = await client.Http.GetAsync("rooms/general/messages");
        var body = await response.Content.ReadAsByteArrayAsync();

        var json = Encoding.UTF8.GetString(body);
        Assert.Contains("满意", json, StringComparison.Ordinal); // three bytes a character, not a six-byte \u escape
        Assert.DoesNotContain("\\u6EE1", json, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\\u2028", json, StringComparison.Ordinal);
        Assert.Contains("\\u2029", json, StringComparison.Ordinal);
        Assert.Contains("\\u003Cb\\u003E", json, StringComparison.Ordinal);
        Assert.Equal(text, JsonSerializer.Deserialize<List<ChatMessage>>(body, JsonSerializerOptions.Web)!.Single().Text);
    }

    [Fact]
    public async Task Limit_of_200_is_the_most_a_page_holds()
    {
        using var client = await ClientWithMessagesAsync(201);

        var page = await client.Http.GetFromJsonAsync<List<ChatMessage>>("rooms/general/messages?limit=200");

        Assert.Equal(Seqs(2, 200), page!.Select(m => m.Seq));
    }

    [Theory]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("before=0", "before")]
    [InlineData("before=abc", "before")]
    [InlineData("before=123456789012345678901234567890", "before")]
    public async Task Bad_paging_parameters_get_a_400_problem_naming_them(string query, string field)
    {
        using var client = App.CreateChatClient();

        using var response = await client.Http.GetAsync($"rooms/general/messages?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal([field], problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }
}
