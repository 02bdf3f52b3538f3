using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using SseChat.Web.Admin;
using SseChat.Web.Data;
using SseChat.Web.Localization;
using SseChat.Web.Models.Admin;
using SseChat.Web.Security;

namespace SseChat.Web.Controllers.Admin;

[Route("admin")]
public sealed class AdminAccountController(
    AdministratorAccounts accounts,
    AuditLog audit,
    SignInThrottle throttle,
    RememberedBrowser rememberedBrowser,
    TimeProvider clock,
    IStringLocalizer<AdminAccountController> text,
    IStringLocalizer<ProblemText> problemText) : AdminControllerBase
{
    [AllowAnonymous]
    [HttpGet("login")]
    public IActionResult Login(string? returnUrl) => View(new LoginForm { ReturnUrl = returnUrl });

    [AllowAnonymous]
    [HttpPost("login")]
    [EnableRateLimiting(AdminClaims.LoginRateLimit)]
    public async Task<IActionResult> Login(LoginForm form, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return View(form);
        }
        var remembered = rememberedBrowser.IsRememberedFor(HttpContext, form.UserName);
        if (!throttle.TryAdmit(form.UserName, ClientAddress.PartitionOf(HttpContext), remembered, out var retryAfter))
        {
            // Answered like the per-address sign-in limit (RateLimitingExtensions), so all the limits read the same.
            await Refusals.WriteAsync(
                HttpContext,
                StatusCodes.Status429TooManyRequests,
                retryAfter,
                problemText["LoginTooFastTitle"],
                problemText["TryAgainDetail", Refusals.Wait(problemText, retryAfter)]);
            return new EmptyResult();
        }
        var administrator = await accounts.VerifyAsync(form.UserName, form.Password, cancellationToken);
        if (administrator is null)
        {
            // Whatever was typed as a name may be a password typed in the wrong box: keep only names that exist.
            var actor = await accounts.ExistsAsync(form.UserName, cancellationToken) ? form.UserName : AuditLog.UnknownNameActor;
            await audit.RecordAsync(actor, AuditAction.SignInFailed, detail: FromClient);
            ModelState.AddModelError("", text["WrongCredentials"]);
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return View(form);
        }

        await SignInAsync(administrator);
        rememberedBrowser.Remember(HttpContext, administrator.UserName);
        await audit.RecordAsync(administrator.UserName, AuditAction.SignedIn, detail: FromClient);
        if (administrator.MustChangePassword)
        {
            return RedirectToAction(nameof(Password));
        }
        return Url.IsLocalUrl(form.ReturnUrl) ? LocalRedirect(form.ReturnUrl) : RedirectToAction("Index", "AdminRooms");
    }

    /// <summary>Signs out everywhere: the new security stamp also ends copies of this session's cookie.</summary>
    [HttpPost("logout")]
    [AllowedWithOneTimePassword]
    public async Task<IActionResult> Logout(CancellationToken cancellationToken)
    {
        await accounts.RenewSecurityStampAsync(AdministratorName, cancellationToken);
        await audit.RecordAsync(AdministratorName, AuditAction.SignedOut);
        await HttpContext.SignOutAsync(AdminClaims.Scheme);
        return RedirectToAction(nameof(Login));
    }

    [HttpGet("password")]
    [AllowedWithOneTimePassword]
    public IActionResult Password() => View(new ChangePasswordForm());

    [HttpPost("password")]
    [AllowedWithOneTimePassword]
    // It checks the current password, so no free guesses either; but only the session's holder may try, so it has a
    // limit of its own, and typos here never count against signing in.
    [EnableRateLimiting(AdminClaims.PasswordChangeRateLimit)]
    public async Task<IActionResult> Password(ChangePasswordForm form, CancellationToken cancellationToken)
    {
        if (!accounts.IsAcceptableNewPassword(form.NewPassword))
        {
            ModelState.AddModelError(nameof(form.NewPassword), text["PasswordTooShort", accounts.MinimumPasswordLength]);
        }
        if (!ModelState.IsValid)
        {
            return View(form);
        }
        if (await accounts.VerifyAsync(AdministratorName, form.CurrentPassword, cancellationToken) is null)
        {
            ModelState.AddModelError(nameof(form.CurrentPassword), text["WrongCurrentPassword"]);
            return View(form);
        }

        var administrator = await accounts.SetPasswordAsync(AdministratorName, form.NewPassword, mustChange: false, cancellationToken);
        await audit.RecordAsync(AdministratorName, AuditAction.PasswordChanged, AdministratorName);
        await SignInAsync(administrator); // the new security stamp ended every other session, but not this one
        TempData["Notice"] = text["PasswordChanged"].Value;
        return RedirectToAction("Index", "AdminRooms");
    }

    /// <summary>
    /// Where a sign-in came from, for the audit log: the client's address as the app sees it, which behind a known
    /// proxy is the one the proxy forwarded (ReverseProxy:KnownProxies); empty when unknown. Only the address is
    /// stored: the audit page words it in the reader's language (AuditDetails).
    /// </summary>
    private string FromClient => HttpContext.Connection.RemoteIpAddress switch
    {
        null => "",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        var address => address.ToString(),
    };

    private Task SignInAsync(Administrator administrator) =>
        HttpContext.SignInAsync(
            AdminClaims.Scheme,
            new ClaimsPrincipal(new ClaimsIdentity(
                AdminServiceExtensions.ClaimsFor(administrator, clock.GetUtcNow()), AdminClaims.Scheme)));
}
