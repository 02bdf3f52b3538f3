using System.Net;
using System.Text;
using System.Text.Unicode;

namespace SseChat.Web.Extensions;

/// <summary>
/// Finds the first field of a urlencoded body whose percent-encoded bytes are not UTF-8 (<c>text=%ff%fe</c>).
/// The framework's form reader leaves such escapes as they are, so the value arrives as the six characters
/// "%ff%fe", which cannot be told from a "%ff%fe" that was typed (sent as <c>%25ff%25fe</c>): only the raw body
/// shows the difference. WebUtility decodes the escapes to bytes without judging them; Utf8.IsValid judges.
/// </summary>
internal static class PercentEncodedUtf8
{
    public const string UrlEncoded = "application/x-www-form-urlencoded";

    /// <summary>The name of the first field whose value is not UTF-8 once decoded, or null when all are.</summary>
    public static string? FirstFieldNotUtf8(ReadOnlySpan<byte> body)
    {
        while (!body.IsEmpty)
        {
            var end = body.IndexOf((byte)'&');
            var pair = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 1)..];

            var equals = pair.IndexOf((byte)'=');
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? [] : pair[(equals + 1)..];
            if (!Utf8.IsValid(Decode(value)) || !Utf8.IsValid(Decode(name)))
            {
                return Encoding.UTF8.GetString(Decode(name)); // the replacement character marks what was broken
            }
        }
        return null;
    }

    private static byte[] Decode(ReadOnlySpan<byte> encoded) =>
        encoded.IsEmpty ? [] : WebUtility.UrlDecodeToBytes(encoded.ToArray(), 0, encoded.Length);

    /// <summary>
    /// Lets a urlencoded body be read again after the form reader (antiforgery or model binding) has read it. It is
    /// held in memory up to 30 kB and in a temporary file beyond; Kestrel's MaxRequestBodySize bounds it.
    /// </summary>
    public static IApplicationBuilder UseRereadableUrlEncodedForms(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.ContentType?.StartsWith(UrlEncoded, StringComparison.OrdinalIgnoreCase) == true)
            {
                context.Request.EnableBuffering();
            }
            return next(context);
        });
}
