using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SseChat.Web.Operations;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// Reads the app's "SseChat" instruments the way a collector does (a MeterListener, through
/// <see cref="MetricCollector{T}"/>), scoped to this app's <see cref="IMeterFactory"/> so that apps of other tests
/// running at the same time are not mixed in.
/// </summary>
public sealed class ChatInstruments : IDisposable
{
    private readonly IMeterFactory meterFactory;
    private readonly List<IDisposable> collectors = [];

    public ChatInstruments(ChatApplication app)
    {
        meterFactory = app.Services.GetRequiredService<IMeterFactory>();
        FanOutLatency = Collect<double>("ssechat.fanout.latency");
        ReplayEvents = Collect<long>("ssechat.replay.events");
    }

    /// <summary>Every measurement of <c>ssechat.fanout.latency</c> (seconds) since this reader was made.</summary>
    public MetricCollector<double> FanOutLatency { get; }

    /// <summary>Every measurement of <c>ssechat.replay.events</c> since this reader was made.</summary>
    public MetricCollector<long> ReplayEvents { get; }

    /// <summary>The current value of an observable instrument, for the series with the given tag (or the only one).</summary>
    public long Observe(string instrument, string? tag = null, string? value = null)
    {
        using var collector = new MetricCollector<long>(meterFactory, ChatMetrics.MeterName, instrument);
        collector.RecordObservableInstruments();
        var measurements = collector.GetMeasurementSnapshot();
        if (tag is null)
        {
            return Assert.Single(measurements).Value;
        }
        var series = measurements.Where(m => m.MatchesTags(new KeyValuePair<string, object?>(tag, value))).ToList();
        Assert.True(series.Count == 1, $"{instrument} should report one series {tag}={value}, found {series.Count}");
        return series[0].Value;
    }

    /// <summary>Whether the instrument reports a series with that tag value at all.</summary>
    public bool Reports(string instrument, string tag, string value)
    {
        using var collector = new MetricCollector<long>(meterFactory, ChatMetrics.MeterName, instrument);
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot().Any(m => m.MatchesTags(new KeyValuePair<string, object?>(tag, value)));
    }

    /// <summary>Polls an observable instrument until it reports <paramref name="expected"/> (at most 30 s).</summary>
    public async Task<long> EventuallyAsync(long expected, string instrument, string? tag = null, string? value = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var current = Observe(instrument, tag, value);
        while (current != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            current = Observe(instrument, tag, value);
        }
        return current;
    }

    private MetricCollector<T> Collect<T>(string instrument) where T : struct
    {
        var collector = new MetricCollector<T>(meterFactory, ChatMetrics.MeterName, instrument);
        collectors.Add(collector);
        return collector;
    }

    public void Dispose()
    {
        foreach (var collector in collectors)
        {
            collector.Dispose();
        }
    }
}
