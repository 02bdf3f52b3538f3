using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Security;

/// <summary>
/// Per-client rate limits of posting and of opening streams, bound from the "RateLimits" section and validated at
/// start-up. A client is its address (an IPv6 client its /64), as the forwarded headers give it. The defaults are
/// far above what people chatting, or a whole office behind one address, ever do; they stop floods.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Posts one client may make per <see cref="PostWindow"/>; more get 429 with Retry-After.</summary>
    [Range(1, 1_000_000)]
    public int PostPermitLimit { get; set; } = 600;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PostWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>New stream connections one client may open per <see cref="StreamWindow"/>; more get 429.</summary>
    [Range(1, 1_000_000)]
    public int StreamPermitLimit { get; set; } = 600;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StreamWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Typing notices one client may send per <see cref="TypingWindow"/>; more get 429. Typing notices are cheap but
    /// fan out to a whole room, hence an allowance of their own.
    /// </summary>
    [Range(1, 100_000)]
    public int TypingPermitLimit { get; set; } = 30;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TypingWindow { get; set; } = TimeSpan.FromSeconds(10);
}
