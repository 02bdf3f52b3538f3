using Microsoft.AspNetCore.Mvc;

namespace SseChat.Web.Chat;

/// <summary>Lets a controller action return a room stream; the work is done by <see cref="RoomEventStreamer"/>.</summary>
public sealed class RoomEventStreamResult(
    RoomSummary room, long? resumeAfter, StreamVisitor? visitor = null, bool fromAnotherHistory = false) : IActionResult
{
    public RoomSummary Room { get; } = room;

    public long? ResumeAfter { get; } = resumeAfter;

    public StreamVisitor? Visitor { get; } = visitor;

    /// <summary>The client asked for another history of the room than the database holds: it gets <c>reset</c>.</summary>
    public bool FromAnotherHistory { get; } = fromAnotherHistory;

    public Task ExecuteResultAsync(ActionContext context) =>
        context.HttpContext.RequestServices.GetRequiredService<RoomEventStreamer>()
            .StreamAsync(context.HttpContext, Room, ResumeAfter, Visitor, FromAnotherHistory);
}

/// <summary>
/// The browser (a random id it keeps) and display name behind a stream, for the room's online list; Admin when a
/// signed-in administrator opened it.
/// </summary>
public sealed record StreamVisitor(string ClientId, string Name, bool Admin = false);
