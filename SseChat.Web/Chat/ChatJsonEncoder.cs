using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace SseChat.Web.Chat;

/// <summary>How event data and the HTTP API escape text in JSON.</summary>
/// <remarks>
/// The framework's default encoder lets only ASCII through, so every Chinese character went out as a six-byte
/// <c>\uXXXX</c> instead of its three UTF-8 bytes. <c>JavaScriptEncoder.Create(UnicodeRanges.All)</c> lets letters of
/// every script through as UTF-8 but still escapes what could break a stream or a page: control characters (CR, LF and
/// NUL among them, so an event's data stays on one <c>data:</c> line), U+2028/U+2029 (line breaks to some JavaScript
/// parsers), unassigned code points, lone surrogates, and the HTML-sensitive <c>&lt; &gt; &amp; ' " + `</c>.
/// <c>UnsafeRelaxedJsonEscaping</c> would also pass the HTML-sensitive ones, which EventSource does not need and a
/// stream or JSON response shown as a page should never contain.
/// </remarks>
public static class ChatJsonEncoder
{
    public static JavaScriptEncoder Instance { get; } = JavaScriptEncoder.Create(UnicodeRanges.All);
}
