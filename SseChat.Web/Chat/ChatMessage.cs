using System.Text.Json.Serialization;

namespace SseChat.Web.Chat;

/// <summary>A message as clients see it: the <c>data</c> of a <c>message</c> event and the JSON of the HTTP API.</summary>
/// <param name="Admin">
/// True on a message an administrator posted while signed in; left out otherwise, like <paramref name="Removed"/>.
/// </param>
/// <param name="Removed">
/// Only ever true on replay of a message a moderator removed (its text then is empty); the field is left out
/// otherwise, so the usual shape stays {seq, author, text, sentAt}.
/// </param>
public sealed record ChatMessage(
    long Seq,
    string Author,
    string Text,
    DateTime SentAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Removed = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Admin = false);

/// <summary>Data of a <c>delete</c> event: a moderator removed message <see cref="MessageSeq"/>.</summary>
public sealed record MessageRemoval(long Seq, long MessageSeq);

/// <summary>Data of a <c>room</c> event: the room's state after an administrator changed it.</summary>
public sealed record RoomChange(long Seq, string Name, string Topic, bool Archived);
