using Microsoft.AspNetCore.Mvc;

namespace SseChat.Web.Chat;

/// <summary>Lets a controller action return a room stream; the work is done by <see cref="RoomEventStreamer"/>.</summary>
public sealed class RoomEventStreamResult(RoomSummary room, long? resumeAfter) : IActionResult
{
    public RoomSummary Room { get; } = room;

    public long? ResumeAfter { get; } = resumeAfter;

    public Task ExecuteResultAsync(ActionContext context) =>
        context.HttpContext.RequestServices.GetRequiredService<RoomEventStreamer>()
            .StreamAsync(context.HttpContext, Room, ResumeAfter);
}
