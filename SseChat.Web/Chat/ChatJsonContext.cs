using System.Text.Json;
using System.Text.Json.Serialization;

namespace SseChat.Web.Chat;

/// <summary>Source-generated JSON for event payloads: the same camelCase shape MVC uses for the HTTP API.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(ResetPayload))]
[JsonSerializable(typeof(MessageRemoval))]
[JsonSerializable(typeof(RoomChange))]
[JsonSerializable(typeof(RoomGonePayload))]
[JsonSerializable(typeof(PresencePayload))]
[JsonSerializable(typeof(TypingPayload))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;

/// <summary>Data of the id-less <c>reset</c> event: where the room's sequence really ends.</summary>
internal sealed record ResetPayload(long LastSeq);

/// <summary>Data of the id-less <c>gone</c> event: the room was deleted, and the stream ends.</summary>
internal sealed record RoomGonePayload(bool Deleted);

/// <summary>
/// Data of the id-less <c>presence</c> event: who is online (at most Chat:PresenceMaxNames names), how many, and for
/// each name in <see cref="Online"/> whether it is an administrator's (added later, so a parallel list: the
/// names stay plain strings for the clients that read only them).
/// </summary>
internal sealed record PresencePayload(IReadOnlyList<string> Online, int Count, IReadOnlyList<bool> Admin);

/// <summary>Data of the id-less <c>typing</c> event: <see cref="Author"/> is typing; forget it after the given time.</summary>
internal sealed record TypingPayload(string Author, long ExpiresInMs);
