using System.Net;
using System.Text;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Security;

/// <summary>
/// The app compresses pages and JSON, but a stream asked for with <c>Accept-Encoding: gzip, br</c> still arrives
/// uncompressed and live: a compressor would hold events back until its buffer filled.
/// </summary>
public sealed class CompressionTests : ChatAppTests
{
    [Fact]
    public async Task Stream_is_never_compressed_and_stays_live_while_json_is()
    {
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "ann", string.Concat(Enumerable.Repeat("compressible ", 200)));
        // No automatic decompression: what arrives is what the server sent.
        using var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = App.BaseAddress,
        };

        // The middleware is on: JSON is compressed (so the stream below could have been).
        using var history = new HttpRequestMessage(HttpMethod.Get, "rooms/general/messages");
        history.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, br");
        using var compressed = await http.SendAsync(history);
        Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
        var encoding = Assert.Single(compressed.Content.Headers.ContentEncoding);
        Assert.True(encoding is "gzip" or "br", $"JSON came {encoding}");

        using var request = new HttpRequestMessage(HttpMethod.Get, "stream/general");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, br");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.DoesNotContain("Accept-Encoding", response.Headers.Vary);
        await using var body = await response.Content.ReadAsStreamAsync();
        Assert.StartsWith("retry: ", await ReadUntilAsync(body, "\n\n"), StringComparison.Ordinal);

        // Live: one small event, flushed on its own, arrives as plain text straight away.
        var sent = await client.SendAsync("general", "bob", "live and uncompressed");
        var frame = await ReadUntilAsync(body, $"id: {sent.Seq}\n\n");
        Assert.Contains("\"text\":\"live and uncompressed\"", frame, StringComparison.Ordinal);
    }

    private static async Task<string> ReadUntilAsync(Stream body, string marker)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().Contains(marker, StringComparison.Ordinal))
        {
            var read = await body.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, "the stream ended");
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        return text.ToString();
    }
}
