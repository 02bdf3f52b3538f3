using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Admin;

/// <summary>The admin area's settings, bound from the "Admin" section and validated at start-up.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>The administrator created, with a generated one-time password, when none exists.</summary>
    [Required]
    [StringLength(64, MinimumLength = 1)]
    public string InitialUserName { get; set; } = "admin";

    /// <summary>How long a sign-in lasts without activity (the cookie slides while in use).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Sign-in attempts one client address may make per <see cref="LoginWindow"/>.</summary>
    [Range(1, 10_000)]
    public int LoginPermitLimit { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The shortest password an administrator may choose.</summary>
    [Range(8, 128)]
    public int MinimumPasswordLength { get; set; } = 12;
}
