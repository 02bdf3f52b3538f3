using System.Text.Json;
using System.Text.Json.Serialization;

namespace SseChat.Bench.Load;

/// <summary>A line the orchestrator sends to a load process on its standard input.</summary>
public sealed record AgentCommand(string Op)
{
    public const string Connect = "connect";
    public const string BeginPhase = "phase";
    public const string Report = "report";
    public const string Resume = "resume";
    public const string Close = "close";

    public int Count { get; init; }

    public int Phase { get; init; }

    /// <summary>For a report: how many messages each poster had answered with success in this phase.</summary>
    public int[] Sent { get; init; } = [];

    public long After { get; init; }

    public long Target { get; init; }

    public double TimeoutSeconds { get; init; } = 30;
}

/// <summary>The one line a load process answers each command with on its standard output.</summary>
public sealed record AgentReply
{
    public int Connected { get; init; }

    public int Failed { get; init; }

    public double ElapsedMs { get; init; }

    public long Deliveries { get; init; }

    public long Missing { get; init; }

    public long Duplicated { get; init; }

    public int Subscribers { get; init; }

    public int Disconnected { get; init; }

    /// <summary>Latency histogram in microseconds as (value, count) pairs, merged by the orchestrator.</summary>
    public long[][] Latency { get; init; } = [];

    public string? Error { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AgentCommand))]
[JsonSerializable(typeof(AgentReply))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
