using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using SseChat.Web.Admin;
using SseChat.Web.Chat;
using SseChat.Web.Localization;
using SseChat.Web.Models;
using SseChat.Web.Security;

namespace SseChat.Web.Controllers;

[Route("stream")]
public sealed class StreamController(
    RoomQueries rooms,
    StreamAdmission admission,
    IOptions<ChatOptions> options,
    IStringLocalizer<StreamController> text,
    IStringLocalizer<ProblemText> problemText)
    : Controller
{
    public const string LastEventIdHeader = "Last-Event-ID";

    public const string HistoryVersionParameter = "v";

    /// <summary>
    /// The room's event stream; resumes after Last-Event-ID, else after <paramref name="after"/>, else now. With
    /// <c>name</c> and <c>client</c> the listener counts as online in the room while the stream is open. With
    /// <paramref name="version"/>, the history the client's page was rendered from: another one than the room's gets
    /// <c>reset</c>, whatever the resume point.
    /// </summary>
    [HttpGet("{slug:slug}")]
    [EnableRateLimiting(RateLimitPolicies.Streams)]
    public async Task<IActionResult> Stream(
        string slug,
        [FromHeader(Name = LastEventIdHeader)] string? lastEventId,
        [FromQuery(Name = "after")] string? after,
        [FromQuery(Name = HistoryVersionParameter)] string? version,
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
                ModelState.AddModelError(source, text["ResumePointInvalid", source]);
                return ValidationProblem(ModelState);
            }
            resumeAfter = parsed;
        }
        if (!string.IsNullOrEmpty(version) && !HistoryVersions.IsWellFormed(version))
        {
            ModelState.AddModelError(HistoryVersionParameter, text["HistoryVersionInvalid", HistoryVersionParameter, HistoryVersions.Length]);
        }
        if (!ModelState.IsValid)
        {
            return ValidationProblem(ModelState);
        }

        // Refused with a status, not a stream: EventSource then stops instead of reconnecting in a hot loop, and
        // the room page tries again later with backoff. Retry-After is the retry: interval, for other clients.
        var retryAfter = options.Value.RetryInterval;
        switch (admission.TryAdmit(ClientAddress.PartitionOf(HttpContext), out var admitted))
        {
            case StreamAdmissionResult.ClientFull:
                await Refusals.WriteAsync(HttpContext, StatusCodes.Status429TooManyRequests, retryAfter,
                    problemText["ClientStreamsFullTitle"], problemText["ClientStreamsFullDetail"]);
                return new EmptyResult();
            case StreamAdmissionResult.ServerFull:
                await Refusals.WriteAsync(HttpContext, StatusCodes.Status503ServiceUnavailable, retryAfter,
                    problemText["ServerFullTitle"], problemText["ServerFullDetail"]);
                return new EmptyResult();
        }
        // Given back when the response is done, however it ends (also if a filter or the result throws).
        HttpContext.Response.RegisterForDispose(admitted!);
        var fromAnotherHistory = !string.IsNullOrEmpty(version) && version != HistoryVersions.Of(room);
        return new RoomEventStreamResult(room, resumeAfter, presence.Visitor is { } visitor
            ? visitor with { Admin = User.IsActiveAdministrator() }
            : null, fromAnotherHistory);
    }
}
