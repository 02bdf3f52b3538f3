using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Threading.Channels;
using SseChat.Web.Chat;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// A client of <c>/stream/{slug}</c> over a real TCP connection, parsed with the framework's <see cref="SseParser"/>.
/// Remembers the last event id it saw, like EventSource, so it can reconnect with Last-Event-ID.
/// </summary>
public sealed class SseSubscriber : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient http;
    private readonly HttpResponseMessage response;
    private readonly CancellationTokenSource stop = new();
    private readonly Channel<SseItem<string>> items = Channel.CreateUnbounded<SseItem<string>>();
    private readonly Task pump;

    private readonly bool includeEphemeral;

    private SseSubscriber(HttpClient http, HttpResponseMessage response, Stream body, bool includeEphemeral)
    {
        this.http = http;
        this.response = response;
        this.includeEphemeral = includeEphemeral;
        pump = PumpAsync(body);
    }

    public HttpResponseMessage Response => response;

    /// <summary>The last non-empty event id handed out by <see cref="NextAsync"/>, as EventSource would send it on reconnect.</summary>
    public string? LastEventId { get; private set; }

    /// <param name="handler">The connection handler to use (e.g. through a TLS proxy), else a default one.</param>
    /// <param name="visitor">Who listens (the <c>name</c> and <c>client</c> query parameters), to be counted online.</param>
    /// <param name="includeEphemeral">
    /// Hand out <c>presence</c> and <c>typing</c> events too. By default they are passed over, as a client that knows
    /// only the persisted events would ignore them.
    /// </param>
    public static async Task<SseSubscriber> ConnectAsync(
        Uri baseAddress, string slug, string? lastEventId = null, string? after = null, HttpMessageHandler? handler = null,
        StreamVisitor? visitor = null, bool includeEphemeral = false)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = baseAddress;
        http.Timeout = Timeout.InfiniteTimeSpan;
        var query = new List<string>();
        if (after is not null)
        {
            query.Add($"after={Uri.EscapeDataString(after)}");
        }
        if (visitor is not null)
        {
            query.Add($"name={Uri.EscapeDataString(visitor.Name)}");
            query.Add($"client={Uri.EscapeDataString(visitor.ClientId)}");
        }
        var path = query.Count == 0 ? $"stream/{slug}" : $"stream/{slug}?{string.Join('&', query)}";
        return await OpenAsync(http, path, lastEventId, includeEphemeral);
    }

    /// <summary>
    /// Opens <paramref name="streamAddress"/> as given, e.g. a room page's <c>data-stream-url</c>, the way EventSource
    /// reconnects to it: the same address, with the Last-Event-ID it remembers.
    /// </summary>
    public static async Task<SseSubscriber> ConnectToAsync(Uri baseAddress, string streamAddress, string? lastEventId = null)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        return await OpenAsync(http, streamAddress, lastEventId, includeEphemeral: false);
    }

    private static async Task<SseSubscriber> OpenAsync(HttpClient http, string path, string? lastEventId, bool includeEphemeral)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        return new SseSubscriber(http, response, body, includeEphemeral) { LastEventId = lastEventId };
    }

    /// <summary>The next event, or a failure if none arrives in time.</summary>
    public async Task<SseItem<string>> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            var item = await items.Reader.ReadAsync(cts.Token);
            if (!string.IsNullOrEmpty(item.EventId))
            {
                LastEventId = item.EventId;
            }
            return item;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No event arrived in time.");
        }
        catch (ChannelClosedException)
        {
            throw new EndOfStreamException("The stream ended.");
        }
    }

    /// <summary>Reads message events until one with the given seq, returning all messages read.</summary>
    public async Task<List<ChatMessage>> ReadMessagesThroughAsync(long seq, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var messages = new List<ChatMessage>();
        while (messages.Count == 0 || messages[^1].Seq < seq)
        {
            var remaining = deadline - DateTime.UtcNow;
            var item = await NextAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            if (item.EventType == SseFrames.MessageEventType)
            {
                messages.Add(ParseMessage(item));
            }
        }
        return messages;
    }

    /// <summary>Whether the server ended the stream (or the connection) within the time given.</summary>
    public async Task<bool> EndsWithinAsync(TimeSpan timeout)
    {
        return await Task.WhenAny(pump, Task.Delay(timeout)) == pump;
    }

    public static ChatMessage ParseMessage(SseItem<string> item)
    {
        var message = JsonSerializer.Deserialize<ChatMessage>(item.Data, Json)!;
        Assert.Equal(message.Seq.ToString(CultureInfo.InvariantCulture), item.EventId);
        return message;
    }

    private async Task PumpAsync(Stream body)
    {
        try
        {
            await foreach (var item in SseParser.Create(body).EnumerateAsync(stop.Token))
            {
                if (includeEphemeral || item.EventType is not (SseFrames.PresenceEventType or SseFrames.TypingEventType))
                {
                    await items.Writer.WriteAsync(item);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException or OperationCanceledException)
        {
            // The connection ended: exactly what a dropped or stopped stream looks like to a client.
        }
        catch (ObjectDisposedException) when (stop.IsCancellationRequested)
        {
            // Disposed by us while a read was pending: an HTTP/2 stream says so instead of cancelling the read.
        }
        finally
        {
            items.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        response.Dispose();
        await pump;
        http.Dispose();
        stop.Dispose();
    }
}
