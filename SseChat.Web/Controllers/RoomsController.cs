using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using SseChat.Web.Admin;
using SseChat.Web.Chat;
using SseChat.Web.Extensions;
using SseChat.Web.Models;
using SseChat.Web.Operations;
using SseChat.Web.Security;

namespace SseChat.Web.Controllers;

[Route("rooms/{slug:slug}")]
public sealed class RoomsController(
    RoomQueries rooms,
    ChatEventWriter writer,
    PresenceTracker presence,
    IOptions<ChatOptions> options,
    ChatMetrics metrics,
    AdministratorNames administratorNames,
    IAntiforgery antiforgery,
    IStringLocalizer<RoomsController> text)
    : Controller
{
    [HttpGet("", Name = "Room")]
    public async Task<IActionResult> Show(string slug, CancellationToken cancellationToken)
    {
        var room = await rooms.FindAsync(slug, cancellationToken);
        if (room is null)
        {
            return NotFound();
        }

        // Only messages up to the room's seq as read above: the stream resumes after that seq, so each event is
        // either rendered here or streamed, never both and never neither.
        // One more than shown tells whether "load older" has anything to load.
        var pageSize = options.Value.HistoryPageSize;
        var messages = await rooms.GetMessagesBeforeAsync(room.Id, room.LastSeq + 1, pageSize + 1, cancellationToken);
        var hasOlder = messages.Count > pageSize;
        return View(new RoomPageViewModel(room, hasOlder ? messages[1..] : messages, hasOlder, pageSize)
        {
            TypingPingMs = (int)(options.Value.TypingExpiry.TotalMilliseconds / 2),
            MessageCap = options.Value.RoomPageMessageCap,
            HistoryVersion = HistoryVersions.Of(room),
        });
    }

    [HttpGet("messages")]
    public async Task<IActionResult> History(string slug, HistoryQuery query, CancellationToken cancellationToken)
    {
        var maxPageSize = options.Value.HistoryMaxPageSize;
        if (query.Limit > maxPageSize)
        {
            ModelState.AddModelError("limit", text["LimitTooHigh", maxPageSize]);
        }
        if (!ModelState.IsValid)
        {
            return ValidationProblem(ModelState);
        }
        var room = await rooms.FindAsync(slug, cancellationToken);
        if (room is null)
        {
            return NotFound();
        }
        var before = query.Before ?? room.LastSeq + 1;
        var limit = query.Limit ?? options.Value.HistoryPageSize;
        return Ok(await rooms.GetMessagesBeforeAsync(room.Id, before, limit, cancellationToken));
    }

    [HttpPost("messages")]
    [EnableRateLimiting(RateLimitPolicies.Posts)]
    public async Task<IActionResult> Post(string slug, PostMessageForm form, CancellationToken cancellationToken)
    {
        var room = await rooms.FindAsync(slug, cancellationToken);
        if (room is null)
        {
            return NotFound();
        }
        if (!ModelState.IsValid)
        {
            metrics.PostRejected(PostRejection.Validation);
            return ValidationProblem(ModelState);
        }

        var asAdministrator = User.IsActiveAdministrator();
        if (asAdministrator)
        {
            administratorNames.Remember(form.Author); // before it is shown, so no visitor can take it up meanwhile
        }
        RoomCommandResult result;
        try
        {
            result = await writer.SubmitAsync(
                new PostMessage(room.Id, form.Author, form.Text, form.ClientMessageId, asAdministrator),
                cancellationToken);
        }
        catch (MessageNotStoredException exception)
        {
            metrics.PostRejected(PostRejection.Unavailable);
            return Problem(
                title: text["NotStoredTitle"],
                detail: text[exception.Reason == NotStoredReason.ShuttingDown ? "NotStoredShuttingDown" : "NotStoredFailed"],
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (result.Status == RoomCommandStatus.RoomArchived)
        {
            metrics.PostRejected(PostRejection.Archived);
        }
        return result.Status switch
        {
            RoomCommandStatus.RoomNotFound => NotFound(),
            RoomCommandStatus.RoomArchived => RoomArchivedProblem(),
            _ when !Request.AcceptsJson() => this.SeeOther(Url.RouteUrl("Room", new { slug })!), // Post/Redirect/Get
            RoomCommandStatus.Applied => StatusCode(StatusCodes.Status201Created, result.Message),
            _ => Ok(result.Message), // an earlier post with this clientMessageId stored it
        };
    }

    /// <summary>
    /// A fresh antiforgery token for the room page's form. A token belongs to the identity the page was rendered for,
    /// so a page left open while its visitor signs in or out of the admin area in another tab gets 400 on its next
    /// post; its script then asks here and sends the same post (same clientMessageId) once more. Never cached: the
    /// answer belongs to this browser and this identity only, and a cross-origin page cannot read it.
    /// </summary>
    [HttpGet("token")]
    [ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
    public async Task<IActionResult> Token(string slug, CancellationToken cancellationToken)
    {
        if (await rooms.FindAsync(slug, cancellationToken) is null)
        {
            return NotFound();
        }
        return Ok(new FormTokenResponse(antiforgery.GetAndStoreTokens(HttpContext).RequestToken!));
    }

    /// <summary>"X is typing…" for the room's open pages; nothing is stored.</summary>
    [HttpPost("typing")]
    [EnableRateLimiting(RateLimitPolicies.Typing)]
    public async Task<IActionResult> Typing(string slug, AuthorForm form, CancellationToken cancellationToken)
    {
        var room = await rooms.FindAsync(slug, cancellationToken);
        if (room is null)
        {
            return NotFound();
        }
        if (!ModelState.IsValid)
        {
            return ValidationProblem(ModelState);
        }
        if (room.IsArchived)
        {
            return RoomArchivedProblem();
        }
        presence.AnnounceTyping(room.Id, form.Author);
        return NoContent();
    }

    private ObjectResult RoomArchivedProblem() => Problem(
        title: text["ArchivedTitle"],
        detail: text["ArchivedDetail"],
        statusCode: StatusCodes.Status409Conflict);
}
