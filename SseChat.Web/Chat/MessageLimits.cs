namespace SseChat.Web.Chat;

/// <summary>Field limits that are part of the public contract (docs/protocol.md), so not configurable.</summary>
public static class MessageLimits
{
    public const int AuthorMaxLength = 32;
    public const int TextMaxLength = 4000;
    public const int ClientMessageIdMaxLength = 64;
}
