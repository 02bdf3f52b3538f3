using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Chat;
using SseChat.Web.Models;

namespace SseChat.Web.Controllers;

[Route("stream")]
public sealed class StreamController(RoomQueries rooms) : Controller
{
    public const string LastEventIdHeader = "Last-Event-ID";

    /// <summary>
    /// The room's event stream; resumes after Last-Event-ID, else after <paramref name="after"/>, else now. With
    /// <c>name</c> and <c>client</c> the listener counts as online in the room while the stream is open.
    /// </summary>
    [HttpGet("{slug:slug}")]
    public async Task<IActionResult> Stream(
        string slug,
        [FromHeader(Name = LastEventIdHeader)] string? lastEventId,
        [FromQuery(Name = "after")] string? after,
        StreamPresenceQuery presence,
        CancellationToken cancellationToken)
    {
        var room = await rooms.FindAsync(slug, cancellationToken);
        if (room is null)
        {
            return NotFound();
        }

        var (source, value) = string.IsNullOrEmpty(lastEventId) ? ("after", after) : (LastEventIdHeader, lastEventId);
        long? resumeAfter = null;
        if (!string.IsNullOrEmpty(value))
        {
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                ModelState.AddModelError(source, $"{source} must be a non-negative integer seq.");
                return ValidationProblem(ModelState);
            }
            resumeAfter = parsed;
        }
        if (!ModelState.IsValid)
        {
            return ValidationProblem(ModelState);
        }
        return new RoomEventStreamResult(room, resumeAfter, presence.Visitor);
    }
}
