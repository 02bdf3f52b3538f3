using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;
using SseChat.Web.Data;

namespace SseChat.Tests.Backplane;

/// <summary>
/// The per-node dispatcher on one real node (SQLite, in-process backplane): local commits go straight through, and
/// events it did not see committed (another node's, or a publish lost on the way) are read from the database once
/// per room and dispatched in order, before the streams would have to fill the gap themselves.
/// </summary>
public sealed class RoomFeedTests
{
    [Fact]
    public async Task Local_commits_in_order_are_dispatched_without_a_database_read()
    {
        await using var app = new ChatApplication();
        using var client = app.CreateChatClient();
        await using var subscriber = await SseSubscriber.ConnectAsync(app.BaseAddress, "general", after: "0");

        for (var i = 1; i <= 5; i++)
        {
            await client.SendAsync("general", "ann", $"m{i}");
        }

        var received = await subscriber.ReadMessagesThroughAsync(5);
        Assert.Equal(SeqRange.Seqs(1, 5), received.Select(m => m.Seq));
        var feed = app.Services.GetRequiredService<RoomFeed>();
        Assert.Equal(0, feed.CatchUpReads);
        Assert.Equal(5, feed.DispatchedThrough(1));
    }

    [Fact]
    public async Task Events_another_writer_committed_are_read_once_and_dispatched_in_order_to_every_stream()
    {
        await using var app = new ChatApplication();
        using var client = app.CreateChatClient();
        await client.SendAsync("general", "ann", "before");
        var subscribers = new List<SseSubscriber>();
        for (var i = 0; i < 5; i++)
        {
            subscribers.Add(await SseSubscriber.ConnectAsync(app.BaseAddress, "general"));
        }
        try
        {
            // Another node's writer: rows in the shared database that this node's writer never saw.
            await CommitElsewhereAsync(app, roomId: 1, count: 3);
            var feed = app.Services.GetRequiredService<RoomFeed>();
            feed.Heard(1, 4);
            // A local commit behind them waits for them rather than overtaking them.
            await client.SendAsync("general", "ann", "after");

            foreach (var subscriber in subscribers)
            {
                var received = await subscriber.ReadMessagesThroughAsync(5);
                Assert.Equal(SeqRange.Seqs(2, 5), received.Select(m => m.Seq));
                Assert.Equal(["elsewhere 2", "elsewhere 3", "elsewhere 4", "after"], received.Select(m => m.Text));
            }
            // One reader for the room, not one per stream: at most a read for the notice and one for the local frame.
            Assert.InRange(feed.CatchUpReads, 1, 2);
            Assert.Equal(5, feed.DispatchedThrough(1));
        }
        finally
        {
            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_room_nobody_listens_to_is_not_read_and_its_first_listener_misses_nothing()
    {
        await using var app = new ChatApplication();
        using var client = app.CreateChatClient();
        await client.SendAsync("general", "ann", "m1");
        await CommitElsewhereAsync(app, roomId: 1, count: 2);
        var feed = app.Services.GetRequiredService<RoomFeed>();
        feed.Heard(1, 3);
        await client.SendAsync("general", "ann", "m4"); // jumps the hole: nobody here needs 2 and 3 live
        Assert.Equal(0, feed.CatchUpReads);

        await using var subscriber = await SseSubscriber.ConnectAsync(app.BaseAddress, "general", after: "0");
        var received = await subscriber.ReadMessagesThroughAsync(4);
        Assert.Equal(SeqRange.Seqs(1, 4), received.Select(m => m.Seq));
        Assert.Equal(0, feed.CatchUpReads);
    }

    [Fact]
    public async Task A_deletion_heard_from_elsewhere_ends_the_rooms_streams()
    {
        await using var app = new ChatApplication();
        var room = await app.AddRoomAsync("doomed");
        await using var subscriber = await SseSubscriber.ConnectAsync(app.BaseAddress, "doomed");

        app.Services.GetRequiredService<RoomFeed>().Gone(room.Id);

        var item = await subscriber.NextAsync();
        Assert.Equal(SseFrames.GoneEventType, item.EventType);
        Assert.True(await subscriber.EndsWithinAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>Appends messages the way a writer on another node would: the room's LastSeq and the events, one transaction.</summary>
    internal static async Task CommitElsewhereAsync(ChatApplication app, int roomId, int count)
    {
        await using var db = app.CreateDbContext();
        var room = await db.Rooms.SingleAsync(r => r.Id == roomId);
        for (var i = 0; i < count; i++)
        {
            var seq = ++room.LastSeq;
            db.RoomEvents.Add(new RoomEvent
            {
                RoomId = roomId, Seq = seq, Kind = RoomEventKind.Message, CreatedAt = DateTime.UtcNow,
                Author = "bob", Text = $"elsewhere {seq}",
            });
        }
        await db.SaveChangesAsync();
    }
}
