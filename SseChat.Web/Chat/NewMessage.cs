namespace SseChat.Web.Chat;

/// <summary>A validated message on its way to the writer.</summary>
public sealed record NewMessage(int RoomId, string Author, string Text, string? ClientMessageId);

/// <summary>What became of a post: the stored message, and whether this post stored it or an earlier one did.</summary>
public sealed record PostOutcome(ChatMessage Message, bool Created);
