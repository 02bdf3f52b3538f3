using System.Security.Claims;

namespace SseChat.Web.Admin;

public static class AdminPrincipalExtensions
{
    /// <summary>
    /// An administrator signed into the admin area who may act there: one still holding a one-time password may
    /// only change it, so neither moderates nor posts with the admin mark.
    /// </summary>
    public static bool IsActiveAdministrator(this ClaimsPrincipal user) =>
        user.IsInRole(AdminClaims.Role) && !user.HasClaim(AdminClaims.MustChangePassword, "true");
}
