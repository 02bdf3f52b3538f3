using Microsoft.Extensions.DependencyInjection;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Chat;

/// <summary>
/// A committed event whose live frame never reaches a stream (a failed publish; later, a lossy backplane) must
/// still reach every client, in order: the stream sees the hole in the seqs and reads it from the database.
/// </summary>
public sealed class LostFrameTests : IAsyncLifetime
{
    private readonly ChatApplication app = new()
    {
        ConfigureTestServices = services => services.AddSingleton<IRoomEventPublisher>(
            provider => new PublisherThatLosesSeq2(provider.GetRequiredService<RoomBroadcaster>())),
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_live_frame_lost_after_its_commit_is_filled_in_from_the_database()
    {
        using var client = app.CreateChatClient();
        await using var subscriber = await SseSubscriber.ConnectAsync(app.BaseAddress, "general", after: "0");

        for (var i = 1; i <= 3; i++)
        {
            await client.SendAsync("general", "ann", $"m{i}");
        }

        var received = await subscriber.ReadMessagesThroughAsync(3);
        Assert.Equal([1L, 2L, 3L], received.Select(m => m.Seq));
        Assert.Equal(["m1", "m2", "m3"], received.Select(m => m.Text));
    }

    private sealed class PublisherThatLosesSeq2(RoomBroadcaster inner) : IRoomEventPublisher
    {
        public void Publish(int roomId, SseFrame frame)
        {
            if (frame.Seq != 2)
            {
                inner.Publish(roomId, frame);
            }
        }
    }
}
