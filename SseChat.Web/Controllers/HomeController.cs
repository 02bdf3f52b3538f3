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

    // What an open room list polls (rooms.js): one query for all rooms, and presence counts from memory.
    [HttpGet("/rooms")]
    [Produces("application/json")]
    public async Task<IReadOnlyList<RoomListEntry>> List(CancellationToken cancellationToken) =>
        (await rooms.ListAsync(cancellationToken))
            .Select(room => new RoomListEntry(
                room.Slug, room.Name, room.Topic, room.IsArchived, room.LastSeq, presence.CountOnline(room.Id)))
            .ToList();
}
