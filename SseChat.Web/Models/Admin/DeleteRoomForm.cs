using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Models.Admin;

public sealed class DeleteRoomForm
{
    [Required(ErrorMessage = "Type the room's slug to confirm.")]
    [Display(Name = "Type the slug to confirm")]
    public string ConfirmSlug { get; set => field = value?.Trim() ?? ""; } = "";
}
