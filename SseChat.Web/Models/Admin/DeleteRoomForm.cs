using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Models.Admin;

public sealed class DeleteRoomForm
{
    [Required(ErrorMessage = "ConfirmSlugRequired")]
    [Display(Name = "ConfirmSlug")]
    public string ConfirmSlug { get; set => field = value?.Trim() ?? ""; } = "";
}
