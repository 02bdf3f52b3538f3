using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Security;

/// <summary>
/// The request limits Kestrel enforces, bound from the "Kestrel:Limits" section (Kestrel's own names) and validated at
/// start-up. The default host reads only endpoints and certificates from the "Kestrel" section, never its limits, so
/// without this binding the documented limits were silently Kestrel's defaults (a 30 MB body).
/// </summary>
public sealed class RequestLimitsOptions
{
    public const string SectionName = "Kestrel:Limits";

    /// <summary>
    /// Largest request body in bytes; larger gets 413. At least 128 kB: the largest message (8,000 stored characters)
    /// percent-encoded as Chinese is about 72 kB.
    /// </summary>
    [Range(131_072, 1_073_741_824)]
    public long MaxRequestBodySize { get; set; } = 262_144;

    /// <summary>Longest request line (method, path, query) in bytes; longer gets 414.</summary>
    [Range(1024, 1_048_576)]
    public int MaxRequestLineSize { get; set; } = 8192;

    /// <summary>Largest total of request headers in bytes; more gets 431. At least 8 kB, room for the app's cookies.</summary>
    [Range(8192, 1_048_576)]
    public int MaxRequestHeadersTotalSize { get; set; } = 32_768;
}
