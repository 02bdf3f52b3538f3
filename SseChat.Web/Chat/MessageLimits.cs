namespace SseChat.Web.Chat;

/// <summary>Field limits that are part of the public contract (docs/protocol.md), so not configurable.</summary>
public static class MessageLimits
{
    public const int AuthorMaxLength = 32;
    /// <summary>The most characters a message may have once leading and trailing whitespace is set aside.</summary>
    public const int TextMaxLength = 4000;

    /// <summary>
    /// The most characters stored for a message. Text is kept exactly as sent, surrounding whitespace included, and
    /// a form posted without script sends every line break as CRLF: this leaves room for both while bounding storage.
    /// </summary>
    public const int TextMaxStoredLength = 2 * TextMaxLength;
    public const int ClientMessageIdMaxLength = 64;
}
