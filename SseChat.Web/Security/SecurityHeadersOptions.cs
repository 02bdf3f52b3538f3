using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Security;

/// <summary>Headers every response carries, bound from the "SecurityHeaders" section and validated at start-up.</summary>
public sealed class SecurityHeadersOptions
{
    public const string SectionName = "SecurityHeaders";

    /// <summary>
    /// Scripts, styles, images and connections from this origin only: no inline script or style (every script is a
    /// file under wwwroot/js), no framing, forms post only here. Bootstrap's icons are data: images.
    /// </summary>
    [Required]
    [MinLength(1)]
    public string ContentSecurityPolicy { get; set; } =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    /// <summary>Other sites learn at most the origin a link was followed from, never a room's path.</summary>
    [Required]
    [RegularExpression("^(no-referrer|no-referrer-when-downgrade|origin|origin-when-cross-origin|same-origin|strict-origin|strict-origin-when-cross-origin|unsafe-url)$")]
    public string ReferrerPolicy { get; set; } = "strict-origin-when-cross-origin";

    /// <summary>How long browsers remember to use HTTPS only (sent over HTTPS, outside Development).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "730.00:00:00")]
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);
}
