using System.Text.Json;
using System.Text.Json.Serialization;

namespace SseChat.Bench.Orchestration;

/// <summary>One fan-out measurement: one server, one run, one room size.</summary>
public sealed record FanoutResult(
    string Server, int Run, int Subscribers, int Sent,
    double P50Ms, double P99Ms, double MaxMs,
    double ConnectSeconds, int ConnectFailures, double ServerKbPerConnection,
    double ServerCpuPercent, double ClientCpuPercent,
    long Deliveries, long Missing, long Duplicated);

public sealed record ThroughputResult(
    string Server, int Run, int Subscribers, int Posters, double Seconds,
    int Stored, int FailedPosts, double MessagesPerSecond, double DeliveriesPerSecond,
    double PostP50Ms, double PostP99Ms, long Missing, long Duplicated);

public sealed record ResumeResult(
    string Server, int Run, int Clients, int Behind, double CatchUpSeconds, long NotCaughtUp, int ConnectFailures,
    double LiveP99Ms, long LiveMissing);

public sealed record BenchResults
{
    public required string Command { get; init; }

    public required DateTime StartedAt { get; init; }

    public DateTime FinishedAt { get; set; }

    public required string Machine { get; init; }

    public List<FanoutResult> Fanout { get; init; } = [];

    public List<ThroughputResult> Throughput { get; init; } = [];

    public List<ResumeResult> Resume { get; init; } = [];
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(BenchResults))]
internal sealed partial class ResultsJsonContext : JsonSerializerContext;
