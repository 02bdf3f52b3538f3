namespace SseChat.Tests.Fleet;

/// <summary>
/// Every multi-node test runs in this one collection, one at a time: each drives several processes, and on a small
/// machine two fleets side by side would only make each other's timings meaningless. Tests that leave the fleet as
/// they found it (each in a room of its own) share <see cref="SharedFleet"/>; tests that kill or stop a part start a
/// fleet of their own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OneFleetAtATime : ICollectionFixture<SharedFleet>
{
    public const string Name = "Fleet";
}

/// <summary>One fleet (<see cref="ChatFleet"/>) for the whole collection's non-destructive tests.</summary>
public sealed class SharedFleet : IAsyncLifetime
{
    private static int rooms;

    public ChatFleet Fleet { get; private set; } = null!;

    /// <summary>A fresh room, so tests sharing the fleet never see each other's events.</summary>
    public string NewRoom(string purpose)
    {
        var slug = $"{purpose}-{Interlocked.Increment(ref rooms)}";
        Fleet.CreateRoom(slug);
        return slug;
    }

    public async Task InitializeAsync() => Fleet = await ChatFleet.StartAsync(perNodeSettings:
    [
        .. Enumerable.Repeat(new Dictionary<string, string>
        {
            // Small enough that a reader that stops reading during a burst is dropped (and must resume), large
            // enough that a healthy one on a busy machine keeps up.
            ["Chat:SubscriberBufferSize"] = "256",
            // A stream whose client takes nothing for this long is let go too (it resumes with Last-Event-ID).
            ["Chat:StreamDrainTimeout"] = "00:00:02",
        }, ChatFleet.NodeCount),
    ]);

    public async Task DisposeAsync()
    {
        if (Fleet is not null)
        {
            await Fleet.DisposeAsync();
        }
    }
}
