using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Chat;
using SseChat.Web.Models;

namespace SseChat.Web.Controllers;

public sealed class HomeController(RoomQueries rooms, PresenceTracker presence) : Controller
{
    [HttpGet("/")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View((await rooms.ListAsync(cancellationToken))
            .Select(room => new RoomListItem(room, presence.CountOnline(room.Id)))
            .ToList());
}
