using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Admin;
using SseChat.Web.Data;

namespace SseChat.Tests.Admin;

/// <summary>
/// A name an administrator takes elsewhere (on another node of a fleet, or with the command line while the server runs)
/// reaches the shared database only: this node reads the names again every Admin:NamesRefreshInterval and refuses it.
/// </summary>
public sealed class AdministratorNamesRefreshTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["Admin:NamesRefreshInterval"] = "00:00:01",
})
{
    [Fact]
    public async Task A_name_an_administrator_posted_under_on_another_node_is_refused_here_after_the_next_refresh()
    {
        using var visitor = App.CreateChatClient();
        await visitor.GetComposeFormAsync("general");
        var names = App.Services.GetRequiredService<AdministratorNames>();
        Assert.False(names.IsTaken("Night Shift"));

        // What another node's writer commits when its administrator posts: this node's memory never hears of it.
        await using (var db = App.CreateDbContext())
        {
            var room = db.Rooms.Single(r => r.Slug == "general");
            room.LastSeq++;
            db.RoomEvents.Add(new RoomEvent
            {
                RoomId = room.Id, Seq = room.LastSeq, Kind = RoomEventKind.Message, CreatedAt = DateTime.UtcNow,
                Author = "Night Shift", AuthorIsAdmin = true, Text = "posted on node B",
            });
            await db.SaveChangesAsync();
        }

        await Eventually.TrueAsync(() => names.IsTaken("night shift"), "the refresh reads the new administrator's name",
            TimeSpan.FromSeconds(10));
        using var refused = await visitor.PostMessageAsync("general", "Night Shift", "pretending");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }
}
