using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

public sealed class StreamContractTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["Chat:HeartbeatInterval"] = "00:00:01",
})
{
    [Fact]
    public async Task Stream_starts_at_once_with_a_retry_line_and_event_stream_headers()
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
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
        using var client = App.CreateChatClient();
        await using (var first = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", after: "0"))
        {
            await client.SendAsync("general", "ann", "one");
            await client.SendAsync("general", "ann", "two");
            var seen = await first.ReadMessagesThroughAsync(2);
            Assert.Equal([1L, 2L], seen.Select(m => m.Seq));
            Assert.Equal("2", first.LastEventId);
        }

        await client.SendAsync("general", "bob", "three");
        await client.SendAsync("general", "bob", "four");

        await using var resumed = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", lastEventId: "2", after: "0");
        var missed = await resumed.ReadMessagesThroughAsync(4);
        Assert.Equal([3L, 4L], missed.Select(m => m.Seq));
        Assert.Equal(["three", "four"], missed.Select(m => m.Text));
    }

    [Fact]
    public async Task Message_events_carry_an_integer_id_their_type_and_one_line_of_json()
    {
        using var client = App.CreateChatClient();
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var response = await http.GetAsync("stream/general?after=0", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();

        var sent = await client.SendAsync("general", "ann", "line one\nline two\r\n\ndata: injected");

        // This class's 1 s heartbeat may slip comment blocks in anywhere, and the id-less presence snapshot follows the
        // (empty) replay: set those aside, then look at the rest.
        var raw = await ReadUntilAsync(body, $"id: {sent.Seq}\n\n", occurrences: 1, TimeSpan.FromSeconds(10));
        var blocks = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(block => !block.StartsWith(':') && !block.StartsWith("event: presence\n", StringComparison.Ordinal))
            .ToList();
        Assert.Equal("retry: 3000", blocks[0]);
        var eventLines = blocks[1].Split('\n');
        Assert.Equal(3, eventLines.Length); // event, data, id: the text's line breaks stayed inside the JSON
        Assert.Contains("event: message", eventLines);
        Assert.Contains($"id: {sent.Seq}", eventLines);
        var data = Assert.Single(eventLines, line => line.StartsWith("data: ", StringComparison.Ordinal));
        Assert.Contains("\"seq\":1", data, StringComparison.Ordinal);
        Assert.DoesNotContain(raw.Split('\n'), line => line == "id:" || line == "id: ");
    }

    [Fact]
    public async Task Event_data_carries_Chinese_as_raw_UTF8_and_keeps_line_separators_and_controls_escaped()
    {
        using var client = App.CreateChatClient();
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var response = await http.GetAsync("stream/general?after=0", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();

        var sent = await client.SendAsync("general", "安", "满意\u2028下一行\u2029\tend\r\nnext");

        var raw = await ReadBytesUntilAsync(body, Encoding.ASCII.GetBytes($"id: {sent.Seq}\n\n"), TimeSpan.FromSeconds(10));
        var data = Encoding.UTF8.GetString(raw).Split('\n').Single(line => line.StartsWith("data: {\"seq\"", StringComparison.Ordinal));
        Assert.Contains("\"author\":\"安\"", data, StringComparison.Ordinal);
        Assert.Contains("\"text\":\"满意\\u2028下一行\\u2029\\tend\\r\\nnext\"", data, StringComparison.Ordinal);
        Assert.True(raw.AsSpan().IndexOf("满意"u8) >= 0, "the text should be on the wire as UTF-8 bytes");
        Assert.True(raw.AsSpan().IndexOf("\u2028"u8) < 0 && raw.AsSpan().IndexOf("\u2029"u8) < 0, "U+2028/U+2029 should stay escaped");
    }

    [Fact]
    public async Task Every_control_character_in_event_data_is_escaped_so_the_frame_stays_one_data_line()
    {
        var controls = string.Concat(Enumerable.Range(0, 0x20).Append(0x7F).Concat(Enumerable.Range(0x80, 0x20)).Select(c => (char)c));
        var roomEvent = new SseChat.Web.Data.RoomEvent
        {
            Seq = 7, Kind = SseChat.Web.Data.RoomEventKind.Message, CreatedAt = DateTime.UtcNow,
            Author = "ann", Text = "满" + controls + "\u2028\u2029<>&'\"+`",
        };

        var frame = await SseFrames.ForEventAsync(roomEvent);

        var bytes = frame.Utf8.ToArray();
        Assert.DoesNotContain(bytes[..^2], b => b < 0x20 && b != (byte)'\n');
        Assert.True(frame.Utf8.Span.IndexOf("满"u8) >= 0);
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        Assert.Equal(["event: message", "id: 7", "", ""], lines.Where(line => !line.StartsWith("data: ", StringComparison.Ordinal)));
        var data = Assert.Single(lines, line => line.StartsWith("data: ", StringComparison.Ordinal));
        Assert.All(controls.Skip(0x20), c => Assert.DoesNotContain(c, data)); // DEL and the C1 controls escaped too
        Assert.DoesNotContain('\u2028', data);
        Assert.DoesNotContain('\u2029', data);
        Assert.DoesNotContain('<', data); // HTML-sensitive characters stay escaped, should a stream ever be shown as a page
        using var json = System.Text.Json.JsonDocument.Parse(data["data: ".Length..]);
        Assert.Equal(roomEvent.Text, json.RootElement.GetProperty("text").GetString());
    }

    private static async Task<byte[]> ReadBytesUntilAsync(Stream body, byte[] marker, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (received.GetBuffer().AsSpan(0, (int)received.Length).IndexOf(marker) < 0)
        {
            var read = await body.ReadAsync(buffer, cts.Token);
            Assert.True(read > 0, "the stream ended early");
            received.Write(buffer, 0, read);
        }
        return received.ToArray();
    }

    private static async Task<string> ReadUntilAsync(Stream body, string marker, int occurrences, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (CountOf(text.ToString(), marker) < occurrences)
        {
            var read = await body.ReadAsync(buffer, cts.Token);
            if (read == 0)
            {
                break;
            }
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        return text.ToString();
    }

    private static int CountOf(string text, string marker)
    {
        var count = 0;
        for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + marker.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    [Fact]
    public async Task After_query_sets_the_resume_point_and_LastEventId_overrides_it()
    {
        using var client = App.CreateChatClient();
        for (var i = 1; i <= 5; i++)
        {
            await client.SendAsync("general", "ann", $"m{i}");
        }

        await using (var byQuery = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", after: "3"))
        {
            Assert.Equal([4L, 5L], (await byQuery.ReadMessagesThroughAsync(5)).Select(m => m.Seq));
        }
        await using var byHeader = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", lastEventId: "1", after: "4");
        Assert.Equal([2L, 3L, 4L, 5L], (await byHeader.ReadMessagesThroughAsync(5)).Select(m => m.Seq));
    }

    [Fact]
    public async Task Stream_without_a_resume_point_starts_at_the_present()
    {
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "ann", "before");

        await using var subscriber = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");
        var after = await client.SendAsync("general", "ann", "after");

        var received = await subscriber.ReadMessagesThroughAsync(after.Seq);
        Assert.Equal(["after"], received.Select(m => m.Text));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("+3")]
    [InlineData("7a")]
    [InlineData("123456789012345678901234567890")]
    public async Task Malformed_resume_point_is_refused_with_400(string resumePoint)
    {
        // A stream that wrongly opened would never end: read headers only, and give up soon.
        using var http = new HttpClient { BaseAddress = App.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        using var byQuery = await http.GetAsync(
            $"stream/general?after={Uri.EscapeDataString(resumePoint)}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.BadRequest, byQuery.StatusCode);
        Assert.Equal("application/problem+json", byQuery.Content.Headers.ContentType?.MediaType);
        Assert.Contains("after", await byQuery.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, "stream/general");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", resumePoint);
        using var byHeader = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.BadRequest, byHeader.StatusCode);
        Assert.Contains("Last-Event-ID", await byHeader.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_point_beyond_the_end_gets_an_idless_reset_then_live_events()
    {
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "ann", "only one so far");

        await using var subscriber = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", lastEventId: "40");
        var reset = await subscriber.NextAsync();
        Assert.Equal(SseFrames.ResetEventType, reset.EventType);
        Assert.True(string.IsNullOrEmpty(reset.EventId));
        Assert.Equal("{\"lastSeq\":1}", reset.Data);
        Assert.Equal("40", subscriber.LastEventId); // an id-less event leaves the client's cursor alone

        await client.SendAsync("general", "ann", "second");
        var next = SseSubscriber.ParseMessage(await subscriber.NextAsync());
        Assert.Equal(2, next.Seq);
    }

    [Fact]
    public async Task Unknown_room_has_no_stream()
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var response = await http.GetAsync("stream/no-such-room");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Idle_stream_receives_heartbeat_comments()
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };
        using var response = await http.GetAsync("stream/general", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();

        // The interval is configured to 1 s for this class; two comments prove it repeats.
        var raw = await ReadUntilAsync(body, ": keep-alive\n\n", occurrences: 2, TimeSpan.FromSeconds(10));
        Assert.Equal(2, CountOf(raw, ": keep-alive\n\n"));
        // Besides the comments, only the presence snapshot that follows every replay: nobody is online.
        Assert.Equal(1, CountOf(raw, "event:"));
        Assert.Contains("event: presence\ndata: {\"online\":[],\"count\":0,\"admin\":[]}\n\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_the_server_ends_open_streams_so_clients_reconnect()
    {
        await using var subscriber = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", after: "0");
        Assert.False(await subscriber.EndsWithinAsync(TimeSpan.FromMilliseconds(200)));

        var stopping = Task.Run(() => App.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication());

        Assert.True(await subscriber.EndsWithinAsync(TimeSpan.FromSeconds(5)), "the stream should end on shutdown");
        await stopping;
    }
}
