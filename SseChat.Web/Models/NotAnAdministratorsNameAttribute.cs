using System.ComponentModel.DataAnnotations;
using SseChat.Web.Admin;
using SseChat.Web.Localization;

namespace SseChat.Web.Models;

/// <summary>
/// Refuses a name that is, or looks like (<see cref="NameSkeleton"/>), a name an administrator goes by, unless the
/// request comes from a signed-in administrator. The admin badge is the chat's one trust signal; without this a
/// visitor could post as "Moderator" or "аdmin" (Cyrillic а) right under the real one.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotAnAdministratorsNameAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string name || name.Length == 0)
        {
            return ValidationResult.Success;
        }
        var user = validationContext.GetRequiredService<IHttpContextAccessor>().HttpContext?.User;
        if (user?.IsActiveAdministrator() == true || !validationContext.GetRequiredService<AdministratorNames>().IsTaken(name))
        {
            return ValidationResult.Success;
        }
        return new ValidationResult(validationContext.Localized("NameOfAnAdministrator", name));
    }
}
