using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SseChat.Tests.Admin;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Operations;

namespace SseChat.Tests.Operations;

/// <summary>The "SseChat" meter's instruments, read as a collector reads them, against the real app.</summary>
public sealed class MetricsTests : ChatAppTests
{
    private ChatInstruments instruments = null!;

    public override Task InitializeAsync()
    {
        instruments = new ChatInstruments(App);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        instruments.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Posts_to_a_live_subscriber_count_as_persisted_events_and_deliveries_with_a_fan_out_latency()
    {
        await using var subscriber = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");
        using var client = App.CreateChatClient();
        for (var i = 1; i <= 5; i++)
        {
            await client.SendAsync("general", "ann", $"message {i}");
        }
        await subscriber.ReadMessagesThroughAsync(5);

        Assert.Equal(5, instruments.Observe("ssechat.events.persisted", ChatMetrics.EventTypeTag, "message"));
        Assert.Equal(0, instruments.Observe("ssechat.events.persisted", ChatMetrics.EventTypeTag, "delete"));
        // Counted once the stream's flush returns, which may be just after the client has read the bytes.
        Assert.Equal(5, await instruments.EventuallyAsync(5, "ssechat.deliveries"));

        // One measurement per flushed burst: between one (all five in one burst) and five.
        await instruments.FanOutLatency.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        var latencies = instruments.FanOutLatency.GetMeasurementSnapshot();
        Assert.InRange(latencies.Count, 1, 5);
        Assert.All(latencies, latency => Assert.InRange(latency.Value, 0, 10));
        Assert.All(latencies, latency => Assert.Empty(latency.Tags));
    }

    [Fact]
    public async Task Open_streams_go_up_and_down_per_room_as_streams_open_and_close()
    {
        await App.AddRoomAsync("quiet");
        Assert.False(instruments.Reports("ssechat.streams.open", ChatMetrics.RoomTag, "general"));

        // The stream counts as open before its first bytes are sent, so no waiting is needed here.
        var first = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");
        await using var second = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");
        var quiet = await SseSubscriber.ConnectAsync(App.BaseAddress, "quiet");
        Assert.Equal(2, instruments.Observe("ssechat.streams.open", ChatMetrics.RoomTag, "general"));
        Assert.Equal(1, instruments.Observe("ssechat.streams.open", ChatMetrics.RoomTag, "quiet"));

        await first.DisposeAsync();
        await quiet.DisposeAsync();

        Assert.Equal(1, await instruments.EventuallyAsync(1, "ssechat.streams.open", ChatMetrics.RoomTag, "general"));
        // A room whose streams all closed still reports its series, at 0.
        Assert.Equal(0, await instruments.EventuallyAsync(0, "ssechat.streams.open", ChatMetrics.RoomTag, "quiet"));
    }

    [Fact]
    public async Task Each_connect_records_how_many_events_it_replayed()
    {
        using var client = App.CreateChatClient();
        for (var i = 1; i <= 3; i++)
        {
            await client.SendAsync("general", "ann", $"message {i}");
        }

        await using (var fromStart = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", after: "0"))
        {
            await fromStart.ReadMessagesThroughAsync(3);
            await instruments.ReplayEvents.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        }
        await using (var resumed = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", lastEventId: "2"))
        {
            await resumed.ReadMessagesThroughAsync(3);
            await instruments.ReplayEvents.WaitForMeasurementsAsync(2, TimeSpan.FromSeconds(10));
        }
        await using (await SseSubscriber.ConnectAsync(App.BaseAddress, "general"))
        {
            await instruments.ReplayEvents.WaitForMeasurementsAsync(3, TimeSpan.FromSeconds(10));
        }

        Assert.Equal([3L, 1L, 0L], instruments.ReplayEvents.GetMeasurementSnapshot().Select(m => m.Value));
    }

    [Fact]
    public async Task Rejected_posts_are_counted_by_reason()
    {
        using var client = App.CreateChatClient();
        using (var invalid = await client.PostMessageAsync("general", "ann", ""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }
        Assert.Equal(1, instruments.Observe("ssechat.posts.rejected", ChatMetrics.ReasonTag, "validation"));
        Assert.Equal(0, instruments.Observe("ssechat.posts.rejected", ChatMetrics.ReasonTag, "archived"));

        using (var admin = await AdminSession.SignInAsync(App))
        using (var archived = await admin.PostAsync("admin/rooms/general/archive"))
        {
            Assert.Equal(HttpStatusCode.Redirect, archived.StatusCode);
        }
        using (var refused = await client.PostMessageAsync("general", "ann", "too late"))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }

        Assert.Equal(1, instruments.Observe("ssechat.posts.rejected", ChatMetrics.ReasonTag, "archived"));
        Assert.Equal(1, instruments.Observe("ssechat.posts.rejected", ChatMetrics.ReasonTag, "validation"));
        Assert.Equal(0, instruments.Observe("ssechat.posts.rejected", ChatMetrics.ReasonTag, "unavailable"));
        // The archiving itself is a persisted room event.
        Assert.Equal(1, instruments.Observe("ssechat.events.persisted", ChatMetrics.EventTypeTag, "room"));
    }

    [Fact]
    public async Task Admin_room_list_shows_the_figures_the_instruments_report()
    {
        using var client = App.CreateChatClient();
        await using var subscriber = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");
        await client.SendAsync("general", "ann", "one");
        await client.SendAsync("general", "bob", "two");
        await subscriber.ReadMessagesThroughAsync(2);
        Assert.Equal(2, await instruments.EventuallyAsync(2, "ssechat.deliveries"));
        using (var invalid = await client.PostMessageAsync("general", "ann", " "))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }
        using var admin = await AdminSession.SignInAsync(App);

        var page = await admin.Client.GetDocumentAsync("admin");

        string Figure(string name) =>
            page.QuerySelector($"#live-figures [data-figure='{name}']")?.TextContent.Trim()
            ?? throw new Xunit.Sdk.XunitException($"The admin page shows no figure {name}.");
        Assert.Equal("1", Figure("open-streams"));
        Assert.Equal("2", Figure("events-persisted"));
        Assert.Equal("2", Figure("deliveries"));
        Assert.Equal("0", Figure("subscribers-dropped"));
        Assert.Equal("1", Figure("posts-rejected-validation"));
        Assert.Equal("0", Figure("posts-rejected-archived"));
        Assert.Equal("0", Figure("posts-rejected-unavailable"));
        Assert.Equal("1", RoomLifecycleTests.Cell(RoomLifecycleTests.AdminRow(page, "general"), "connected"));

        // The same numbers a collector reads.
        Assert.Equal(1, instruments.Observe("ssechat.streams.open", ChatMetrics.RoomTag, "general"));
        Assert.Equal(2, instruments.Observe("ssechat.events.persisted", ChatMetrics.EventTypeTag, "message"));
        Assert.Equal(App.Services.GetRequiredService<ChatMetrics>().Snapshot().Deliveries, instruments.Observe("ssechat.deliveries"));
    }
}
