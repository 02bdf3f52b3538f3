using Microsoft.AspNetCore.Mvc;

namespace SseChat.Web.Chat;

/// <summary>Lets a controller action return a room stream; the work is done by <see cref="RoomEventStreamer"/>.</summary>
/// <param name="admission">The stream's place under the stream caps (<see cref="StreamAdmission"/>), given back when it ends.</param>
public sealed class RoomEventStreamResult(RoomSummary room, long? resumeAfter, IDisposable? admission = null) : IActionResult
{
    public RoomSummary Room { get; } = room;

    public long? ResumeAfter { get; } = resumeAfter;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        using (admission)
        {
            await context.HttpContext.RequestServices.GetRequiredService<RoomEventStreamer>()
                .StreamAsync(context.HttpContext, Room, ResumeAfter);
        }
    }
}
