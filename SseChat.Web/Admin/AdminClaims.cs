namespace SseChat.Web.Admin;

/// <summary>Names shared by the cookie, the policy and the controllers of the admin area.</summary>
public static class AdminClaims
{
    public const string Scheme = "SseChat.Admin";
    public const string Policy = "Administrator";
    public const string CookieName = ".SseChat.Admin";
    public const string LoginRateLimit = "admin-login";
    public const string PasswordChangeRateLimit = "admin-password";

    public const string Role = "administrator";
    public const string SecurityStamp = "ssechat:security_stamp";
    public const string MustChangePassword = "ssechat:must_change_password";
    public const string SignedInAt = "ssechat:signed_in_at";
}
