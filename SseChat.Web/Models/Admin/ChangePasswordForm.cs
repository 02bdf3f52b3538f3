using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Models.Admin;

public sealed class ChangePasswordForm
{
    [Required(ErrorMessage = "CurrentPasswordRequired")]
    [DataType(DataType.Password)]
    [Display(Name = "CurrentPassword")]
    public string CurrentPassword { get; set; } = "";

    [Required(ErrorMessage = "NewPasswordRequired")]
    [DataType(DataType.Password)]
    [Display(Name = "NewPassword")]
    public string NewPassword { get; set; } = "";

    [Required(ErrorMessage = "ConfirmPasswordRequired")]
    [DataType(DataType.Password)]
    [Compare(nameof(NewPassword), ErrorMessage = "PasswordsDiffer")]
    [Display(Name = "ConfirmPassword")]
    public string ConfirmPassword { get; set; } = "";
}
