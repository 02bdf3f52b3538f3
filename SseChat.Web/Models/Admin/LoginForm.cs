using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Models.Admin;

public sealed class LoginForm
{
    [Required(ErrorMessage = "Enter your user name.")]
    [Display(Name = "User name")]
    public string UserName { get; set => field = value?.Trim() ?? ""; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    public string? ReturnUrl { get; set; }
}
