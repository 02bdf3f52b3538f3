namespace SseChat.Web.Chat;

/// <summary>
/// One event already encoded as Server-Sent Events wire bytes. It is encoded once and the same bytes are handed
/// to every subscriber, so fan-out to thousands of connections does no per-subscriber serialization.
/// </summary>
/// <param name="Seq">The room sequence number for persisted events; null for id-less ones (heartbeats).</param>
/// <param name="EndsStream">The last frame a stream sends (the room is gone).</param>
public sealed record SseFrame(long? Seq, ReadOnlyMemory<byte> Utf8, bool EndsStream = false);
