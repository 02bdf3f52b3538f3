namespace SseChat.Web.Chat;

/// <summary>A message as clients see it: the <c>data</c> of a <c>message</c> event and the JSON of the HTTP API.</summary>
public sealed record ChatMessage(long Seq, string Author, string Text, DateTime SentAt);
