using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Localization;
using SseChat.Web.Admin;
using SseChat.Web.Extensions;

namespace SseChat.Web.Controllers.Admin;

/// <summary>
/// Every admin controller derives from this, so every admin action requires the administrator policy unless it
/// says [AllowAnonymous] (only signing in does); the tests enumerate the endpoints to hold us to that.
/// </summary>
[Authorize(Policy = AdminClaims.Policy)]
public abstract class AdminControllerBase : Controller
{
    protected string AdministratorName => User.Identity?.Name ?? "";

    /// <summary>After signing in with a generated password, nothing but choosing a new one (or leaving) is open.</summary>
    public override void OnActionExecuting(ActionExecutingContext context)
    {
        var mustChange = User.HasClaim(AdminClaims.MustChangePassword, "true");
        var allowed = context.ActionDescriptor.EndpointMetadata.OfType<AllowedWithOneTimePasswordAttribute>().Any();
        if (mustChange && !allowed && User.Identity?.IsAuthenticated == true)
        {
            context.Result = Request.AcceptsJson()
                ? OneTimePasswordProblem()
                : RedirectToAction(nameof(AdminAccountController.Password), "AdminAccount");
        }
    }

    // Resolved here rather than injected: a constructor parameter would have to be passed on by every admin controller.
    private ObjectResult OneTimePasswordProblem()
    {
        var text = HttpContext.RequestServices.GetRequiredService<IStringLocalizer<AdminControllerBase>>();
        return Problem(
            title: text["ChangePasswordFirstTitle"],
            detail: text["ChangePasswordFirstDetail"],
            statusCode: StatusCodes.Status403Forbidden);
    }
}

/// <summary>Marks the actions open to an administrator who still has to replace a one-time password.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AllowedWithOneTimePasswordAttribute : Attribute;
