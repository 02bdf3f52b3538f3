using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using SseChat.Web.Admin;
using SseChat.Web.Chat;
using SseChat.Web.Data;
using SseChat.Web.Extensions;
using SseChat.Web.Models.Admin;

namespace SseChat.Web.Controllers.Admin;

[Route("admin")]
public sealed class AdminRoomsController(
    RoomQueries rooms,
    AdminRoomQueries adminRooms,
    ChatEventWriter writer,
    ChatDbContext db,
    AuditLog audit,
    TimeProvider clock,
    IOptions<AdminOptions> options,
    IStringLocalizer<AdminRoomsController> text) : AdminControllerBase
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(await adminRooms.ListAsync(cancellationToken));

    [HttpGet("rooms/new")]
    public IActionResult Create() => View(new RoomForm());

    [HttpPost("rooms/new")]
    public async Task<IActionResult> Create(RoomForm form, CancellationToken cancellationToken)
    {
        var slug = form.Slug ?? SlugGenerator.FromName(form.Name);
        if (ModelState.IsValid && slug.Length == 0)
        {
            ModelState.AddModelError(nameof(form.Slug), text["SlugUnusable"]);
        }
        else if (ModelState.IsValid && await adminRooms.SlugExistsAsync(slug, cancellationToken))
        {
            ModelState.AddModelError(nameof(form.Slug), text["SlugTaken", slug]);
        }
        if (!ModelState.IsValid)
        {
            return View(form);
        }

        // A new room has no events yet, so it does not need the writer: the room and its audit entry commit together.
        db.Rooms.Add(new Room { Slug = slug, Name = form.Name, Topic = form.Topic, CreatedAt = clock.GetUtcNow().UtcDateTime });
        audit.Add(AdministratorName, AuditAction.RoomCreated, slug, form.Name);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Someone took the slug between the check above and this insert.
            ModelState.AddModelError(nameof(form.Slug), text["SlugTaken", slug]);
            return View(form);
        }
        TempData["Notice"] = text["RoomCreated", form.Name].Value;
        return RedirectToAction(nameof(Index));
    }

    [HttpGet("rooms/{slug:slug}/edit")]
    public async Task<IActionResult> Edit(string slug, CancellationToken cancellationToken)
    {
        var room = await rooms.FindAsync(slug, cancellationToken);
        return room is null ? NotFound() : View(new EditRoomViewModel(room, new RoomForm { Name = room.Name, Topic = room.Topic }));
    }

    [HttpPost("rooms/{slug:slug}/edit")]
    public async Task<IActionResult> Edit(string slug, RoomForm form, CancellationToken cancellationToken)
    {
        var room = await rooms.FindAsync(slug, cancellationToken);
        if (room is null)
        {
            return NotFound();
        }
        ModelState.Remove(nameof(form.Slug)); // the slug is an address: it does not change
        if (!ModelState.IsValid)
        {
            return View(new EditRoomViewModel(room, form));
        }
        return await ApplyAsync(
            new UpdateRoom(room.Id, AdministratorName, Name: form.Name, Topic: form.Topic),
            text["RoomSaved", form.Name],
            cancellationToken);
    }

    [HttpPost("rooms/{slug:slug}/archive")]
    public Task<IActionResult> Archive(string slug, CancellationToken cancellationToken) =>
        SetArchivedAsync(slug, archived: true, cancellationToken);

    [HttpPost("rooms/{slug:slug}/unarchive")]
    public Task<IActionResult> Unarchive(string slug, CancellationToken cancellationToken) =>
        SetArchivedAsync(slug, archived: false, cancellationToken);

    [HttpGet("rooms/{slug:slug}/delete")]
    public async Task<IActionResult> Delete(string slug, CancellationToken cancellationToken)
    {
        var room = await rooms.FindAsync(slug, cancellationToken);
        return room is null ? NotFound() : View(new DeleteRoomViewModel(room, new DeleteRoomForm()));
    }

    [HttpPost("rooms/{slug:slug}/delete")]
    public async Task<IActionResult> Delete(string slug, DeleteRoomForm form, CancellationToken cancellationToken)
    {
        var room = await rooms.FindAsync(slug, cancellationToken);
        if (room is null)
        {
            return NotFound();
        }
        if (ModelState.IsValid && form.ConfirmSlug != room.Slug)
        {
            ModelState.AddModelError(nameof(form.ConfirmSlug), text["ConfirmSlugMismatch", room.Slug]);
        }
        if (!ModelState.IsValid)
        {
            return View(new DeleteRoomViewModel(room, form));
        }
        return await ApplyAsync(new DeleteRoom(room.Id, AdministratorName), text["RoomDeleted", room.Name], cancellationToken);
    }

    /// <summary>A room's messages for moderation, newest first, a page at a time (Admin:ModerationPageSize).</summary>
    [HttpGet("rooms/{slug:slug}/messages")]
    public async Task<IActionResult> Messages(string slug, ModerationQuery query, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return ValidationProblem(ModelState);
        }
        var room = await rooms.FindAsync(slug, cancellationToken);
        if (room is null)
        {
            return NotFound();
        }
        var pageSize = options.Value.ModerationPageSize;
        // One more than shown tells whether an older page exists.
        var messages = await adminRooms.MessagesBeforeAsync(room.Id, query.Before, pageSize + 1, cancellationToken);
        var older = messages.Count > pageSize ? messages[pageSize - 1].Seq : (long?)null;
        return View(new ModerationViewModel(room, messages.Take(pageSize).ToList(), query.Before is null, older));
    }

    /// <summary>
    /// Removes a message: answered 204 to scripts (the room page), redirected back for forms, to the page the form
    /// was on (its <c>before</c> cursor).
    /// </summary>
    [HttpPost("rooms/{slug:slug}/messages/{seq:long}/remove")]
    public async Task<IActionResult> RemoveMessage(string slug, long seq, ModerationQuery page, CancellationToken cancellationToken)
    {
        var room = await rooms.FindAsync(slug, cancellationToken);
        if (room is null)
        {
            return NotFound();
        }
        RoomCommandResult result;
        try
        {
            result = await writer.SubmitAsync(new Chat.RemoveMessage(room.Id, seq, AdministratorName), cancellationToken);
        }
        catch (MessageNotStoredException exception)
        {
            return NotStoredProblem(text["MessageNotRemovedTitle"], exception);
        }
        if (result.Status is RoomCommandStatus.MessageNotFound or RoomCommandStatus.RoomNotFound)
        {
            return NotFound();
        }
        if (Request.AcceptsJson())
        {
            return NoContent();
        }
        TempData["Notice"] = text["MessageRemoved", seq].Value;
        return RedirectToAction(nameof(Messages), new { slug, before = ModelState.IsValid ? page.Before : null });
    }

    private async Task<IActionResult> SetArchivedAsync(string slug, bool archived, CancellationToken cancellationToken)
    {
        var room = await rooms.FindAsync(slug, cancellationToken);
        if (room is null)
        {
            return NotFound();
        }
        return await ApplyAsync(
            new UpdateRoom(room.Id, AdministratorName, Archived: archived),
            text[archived ? "RoomArchived" : "RoomUnarchived", room.Name],
            cancellationToken);
    }

    private async Task<IActionResult> ApplyAsync(RoomCommand command, string notice, CancellationToken cancellationToken)
    {
        RoomCommandResult result;
        try
        {
            result = await writer.SubmitAsync(command, cancellationToken);
        }
        catch (MessageNotStoredException exception)
        {
            return NotStoredProblem(text["ChangeNotStoredTitle"], exception);
        }
        if (result.Status == RoomCommandStatus.RoomNotFound)
        {
            return NotFound();
        }
        TempData["Notice"] = notice;
        return RedirectToAction(nameof(Index));
    }

    private ObjectResult NotStoredProblem(string title, MessageNotStoredException exception) => Problem(
        title: title,
        detail: text[exception.Reason == NotStoredReason.ShuttingDown ? "NotStoredShuttingDown" : "NotStoredFailed"],
        statusCode: StatusCodes.Status503ServiceUnavailable);
}
