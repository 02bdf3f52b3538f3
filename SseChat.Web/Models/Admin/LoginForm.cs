using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Models.Admin;

public sealed class LoginForm
{
    [Required(ErrorMessage = "UserNameRequired")]
    [Display(Name = "UserName")]
    public string UserName { get; set => field = value?.Trim() ?? ""; } = "";

    [Required(ErrorMessage = "PasswordRequired")]
    [Display(Name = "Password")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    public string? ReturnUrl { get; set; }
}
