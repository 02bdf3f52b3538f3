using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Chat;

namespace SseChat.Web.Controllers;

public sealed class HomeController(RoomQueries rooms) : Controller
{
    [HttpGet("/")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(await rooms.ListAsync(cancellationToken));
}
