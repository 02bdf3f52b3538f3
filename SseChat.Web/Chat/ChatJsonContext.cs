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
internal sealed partial class ChatJsonContext : JsonSerializerContext;

/// <summary>Data of the id-less <c>reset</c> event: where the room's sequence really ends.</summary>
internal sealed record ResetPayload(long LastSeq);

/// <summary>Data of the id-less <c>gone</c> event: the room was deleted, and the stream ends.</summary>
internal sealed record RoomGonePayload(bool Deleted);
