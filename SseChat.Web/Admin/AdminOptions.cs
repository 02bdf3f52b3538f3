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

    /// <summary>How long a sign-in lasts at most, however active: then the password is asked again.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan SessionAbsoluteLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How often a node reads the names administrators go by again, so that an account or an admin-marked name new on
    /// another node (or made with the command line) is refused to this node's visitors too.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan NamesRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Sign-in attempts at one account from one client address per <see cref="LoginWindow"/>: what a stranger
    /// may try from their own address without affecting anyone else.
    /// </summary>
    [Range(1, 10_000)]
    public int LoginPermitLimit { get; set; } = 5;

    /// <summary>
    /// Sign-in attempts at one account from all addresses together per <see cref="LoginWindow"/>, against guessing
    /// from many addresses. A browser that signed in to that account before is exempt, so a stranger reaching this
    /// limit cannot lock out the administrator.
    /// </summary>
    [Range(1, 100_000)]
    public int AccountLoginPermitLimit { get; set; } = 10;

    /// <summary>Sign-in attempts from one client address per <see cref="LoginWindow"/>, whatever the names tried.</summary>
    [Range(1, 100_000)]
    public int AddressLoginPermitLimit { get; set; } = 30;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a browser that signed in is remembered as exempt from <see cref="AccountLoginPermitLimit"/>.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "730.00:00:00")]
    public TimeSpan RememberBrowserFor { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Password changes a signed-in administrator may submit per <see cref="PasswordChangeWindow"/>; counted apart
    /// from sign-ins, so typos while changing it never lock anyone out of signing in.
    /// </summary>
    [Range(1, 10_000)]
    public int PasswordChangePermitLimit { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PasswordChangeWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The shortest password an administrator may choose.</summary>
    [Range(8, 128)]
    public int MinimumPasswordLength { get; set; } = 12;

    /// <summary>Entries per page of the audit log.</summary>
    [Range(10, 1_000)]
    public int AuditPageSize { get; set; } = 100;

    /// <summary>Messages per page of a room's moderation page.</summary>
    [Range(10, 1_000)]
    public int ModerationPageSize { get; set; } = 100;
}
