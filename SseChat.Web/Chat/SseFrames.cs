using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SseChat.Web.Data;

namespace SseChat.Web.Chat;

/// <summary>Encodes the frames of a room stream. Events go through the framework's <see cref="SseFormatter"/>.</summary>
public static class SseFrames
{
    public const string MessageEventType = "message";
    public const string ResetEventType = "reset";
    public const string DeleteEventType = "delete";
    public const string RoomEventType = "room";
    public const string GoneEventType = "gone";
    public const string PresenceEventType = "presence";
    public const string TypingEventType = "typing";

    /// <summary>
    /// A comment line. SseFormatter can only write events, and a comment is the one frame that keeps a proxy's idle
    /// timer happy without being seen by EventSource, so this constant is written by hand.
    /// </summary>
    public static SseFrame Heartbeat { get; } = new(null, ": keep-alive\n\n"u8.ToArray());

    /// <summary>
    /// The stream's first bytes. Hand-written because SseFormatter attaches <c>retry:</c> only to an event with a
    /// <c>data:</c> line, and an empty-data event would reach the page as a spurious message.
    /// </summary>
    public static SseFrame Retry(TimeSpan interval) => new(null, Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"retry: {(long)interval.TotalMilliseconds}\n\n")));

    public static ValueTask<SseFrame> ForEventAsync(RoomEvent roomEvent) => roomEvent.Kind switch
    {
        RoomEventKind.Message => EncodeAsync(
            new SseItem<ChatMessage>(roomEvent.ToChatMessage(), MessageEventType)
            {
                EventId = roomEvent.Seq.ToString(CultureInfo.InvariantCulture),
            },
            ChatJsonContext.Default.ChatMessage,
            roomEvent.Seq),
        RoomEventKind.Delete => ForRemovalAsync(roomEvent),
        RoomEventKind.Room => EncodeAsync(
            new SseItem<RoomChange>(
                new RoomChange(roomEvent.Seq, roomEvent.RoomName ?? "", roomEvent.RoomTopic ?? "", roomEvent.RoomArchived ?? false),
                RoomEventType)
            {
                EventId = roomEvent.Seq.ToString(CultureInfo.InvariantCulture),
            },
            ChatJsonContext.Default.RoomChange,
            roomEvent.Seq),
        _ => throw new ArgumentOutOfRangeException(nameof(roomEvent), roomEvent.Kind, "Unknown event kind."),
    };

    private static async ValueTask<SseFrame> ForRemovalAsync(RoomEvent roomEvent) =>
        await EncodeAsync(
            new SseItem<MessageRemoval>(new MessageRemoval(roomEvent.Seq, roomEvent.MessageSeq ?? 0), DeleteEventType)
            {
                EventId = roomEvent.Seq.ToString(CultureInfo.InvariantCulture),
            },
            ChatJsonContext.Default.MessageRemoval,
            roomEvent.Seq) with { RewritesEarlierEvents = true };

    /// <summary>The last frame of every stream of a deleted room: id-less, so it never moves a cursor.</summary>
    public static SseFrame RoomGone { get; } = EncodeEphemeral(
        new SseItem<RoomGonePayload>(new RoomGonePayload(Deleted: true), GoneEventType),
        ChatJsonContext.Default.RoomGonePayload) with { EndsStream = true };

    /// <summary>Tells a client whose resume point lies beyond the room's end (database reset or restored).</summary>
    public static ValueTask<SseFrame> ResetAsync(long lastSeq) => EncodeAsync(
        new SseItem<ResetPayload>(new ResetPayload(lastSeq), ResetEventType),
        ChatJsonContext.Default.ResetPayload,
        seq: null);

    /// <summary>
    /// Who is online in a room: id-less, sent to every stream of the room whenever the list changes.
    /// <paramref name="admin"/> tells, name by name, whether it is an administrator's (none when omitted).
    /// </summary>
    public static SseFrame Presence(IReadOnlyList<string> online, int count, IReadOnlyList<bool>? admin = null) => EncodeEphemeral(
        new SseItem<PresencePayload>(new PresencePayload(online, count, admin ?? new bool[online.Count]), PresenceEventType),
        ChatJsonContext.Default.PresencePayload) with { Skippable = true };

    /// <summary>Someone is typing: id-less, never stored.</summary>
    public static SseFrame Typing(string author, TimeSpan expiresIn) => EncodeEphemeral(
        new SseItem<TypingPayload>(new TypingPayload(author, (long)expiresIn.TotalMilliseconds), TypingEventType),
        ChatJsonContext.Default.TypingPayload) with { Skippable = true };

    // Formatting into a MemoryStream never actually waits, so the synchronous wait cannot block; it lets callers
    // encode while holding a lock that keeps their frames in order.
    private static SseFrame EncodeEphemeral<T>(SseItem<T> item, JsonTypeInfo<T> json) =>
        EncodeAsync(item, json, seq: null).AsTask().GetAwaiter().GetResult();

    private static async ValueTask<SseFrame> EncodeAsync<T>(SseItem<T> item, JsonTypeInfo<T> json, long? seq)
    {
        using var buffer = new MemoryStream();
        await SseFormatter.WriteAsync(
            new[] { item }.ToAsyncEnumerable(),
            buffer,
            (sseItem, writer) => WriteJson(sseItem.Data, json, writer));
        return new SseFrame(seq, buffer.ToArray());
    }

    // The encoder escapes CR, LF and every other control character inside strings, so the payload is always one data
    // line and user text can never break the framing; text itself goes out as UTF-8 (see ChatJsonEncoder).
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = ChatJsonEncoder.Instance };

    private static void WriteJson<T>(T data, JsonTypeInfo<T> json, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        JsonSerializer.Serialize(writer, data, json);
    }
}
