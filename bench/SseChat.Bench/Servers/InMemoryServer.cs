using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;

namespace SseChat.Bench.Servers;

/// <summary>
/// Baseline 1: the SSE broadcaster a .NET developer would write without SseChat: minimal APIs (no MVC, no
/// antiforgery), messages kept in memory only (no database), an unbounded channel per subscriber, and the
/// framework's <see cref="SseFormatter"/> writing each connection's items. Same URLs and JSON as SseChat, and it
/// also resumes from Last-Event-ID (from memory), so the load generator drives it with the same code.
/// </summary>
internal static class InMemoryServer
{
    public const string RoomSlug = "general";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // The log levels SseChat's appsettings.json sets: no log line per request.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton<InMemoryRoom>();
        var app = builder.Build();

        app.MapGet("/healthz", () => "ok");
        app.MapPost("/rooms/{slug}/messages", async (string slug, HttpRequest request, InMemoryRoom room) =>
        {
            if (slug != RoomSlug)
            {
                return Results.NotFound();
            }
            var form = await request.ReadFormAsync();
            var message = room.Publish(form["author"].ToString(), form["text"].ToString());
            return Results.Json(message, BenchJsonContext.Default.BenchMessage, statusCode: StatusCodes.Status201Created);
        });
        app.MapGet("/stream/{slug}", (string slug, HttpContext context, InMemoryRoom room) =>
            slug == RoomSlug ? room.StreamAsync(context) : Results.NotFound().ExecuteAsync(context));

        await app.RunAsync();
        return 0;
    }

    private sealed class InMemoryRoom
    {
        private readonly Lock gate = new();
        private readonly List<BenchMessage> history = [];
        private readonly HashSet<Channel<BenchMessage>> subscribers = [];

        public BenchMessage Publish(string author, string text)
        {
            // Appending and offering under one lock keeps every subscriber's order the seq order.
            lock (gate)
            {
                var message = new BenchMessage(history.Count + 1, author, text, DateTime.UtcNow);
                history.Add(message);
                foreach (var subscriber in subscribers)
                {
                    subscriber.Writer.TryWrite(message);
                }
                return message;
            }
        }

        public async Task StreamAsync(HttpContext context)
        {
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            _ = long.TryParse(
                context.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var after);

            var channel = Channel.CreateUnbounded<BenchMessage>(new UnboundedChannelOptions { SingleReader = true });
            BenchMessage[] missed;
            lock (gate)
            {
                subscribers.Add(channel);
                missed = after > 0 && after < history.Count ? history[(int)after..].ToArray() : [];
            }
            try
            {
                // SseFormatter writes nothing before the first item, so the headers are flushed by hand.
                await response.Body.FlushAsync(context.RequestAborted);
                await SseFormatter.WriteAsync(
                    Items(missed, channel.Reader, context.RequestAborted),
                    response.Body,
                    static (item, writer) =>
                    {
                        using var json = new Utf8JsonWriter(writer);
                        JsonSerializer.Serialize(json, item.Data, BenchJsonContext.Default.BenchMessage);
                    },
                    context.RequestAborted);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
            }
            finally
            {
                lock (gate)
                {
                    subscribers.Remove(channel);
                }
            }
        }

        private static async IAsyncEnumerable<SseItem<BenchMessage>> Items(
            BenchMessage[] missed, ChannelReader<BenchMessage> live, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var lastSent = 0L;
            foreach (var message in missed)
            {
                lastSent = message.Seq;
                yield return Item(message);
            }
            await foreach (var message in live.ReadAllAsync(cancellationToken))
            {
                if (message.Seq > lastSent)
                {
                    lastSent = message.Seq;
                    yield return Item(message);
                }
            }
        }

        private static SseItem<BenchMessage> Item(BenchMessage message) =>
            new(message, "message") { EventId = message.Seq.ToString(CultureInfo.InvariantCulture) };
    }
}
