using System.Globalization;
using SseChat.Bench.Load;

namespace SseChat.Bench.Orchestration;

/// <summary>The command line. Defaults are the documented full run; the options only make smaller ones.</summary>
internal sealed record BenchOptions
{
    public required string WebDirectory { get; init; }

    public string OutputDirectory { get; init; } = Path.GetFullPath("docs/benchmarks");

    public int Runs { get; init; } = 3;

    public int[] Subscribers { get; init; } = [1_000, 5_000, 10_000, 19_000];

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(15);

    public int FanoutRate { get; init; } = 10;

    public int ThroughputSubscribers { get; init; } = 100;

    public int ThroughputPosters { get; init; } = 16;

    public int ResumeClients { get; init; } = 1_000;

    public int ResumeBehind { get; init; } = 100;

    public string[] Scenarios { get; init; } = ["fanout", "throughput", "resume"];

    /// <summary>
    /// SseChat on PostgreSQL + Redis is in every run, so its ratio to SseChat on SQLite comes from the same minutes
    /// (about 5 more minutes). The two-node fleet only where each node can have a core of its own (4 cores and more):
    /// on fewer, its figures measure five processes sharing one core, not a scale-out, and it would add another
    /// 6 minutes; ask for it with --servers.
    /// </summary>
    public string[] Servers { get; init; } = DefaultServers(MachineDescription.Cores);

    public static string[] DefaultServers(int machineCores) => machineCores >= 4
        ? [ServerKinds.SseChat, ServerKinds.SseChatPostgres, ServerKinds.SseChatFleet, ServerKinds.Memory, ServerKinds.SignalR]
        : [ServerKinds.SseChat, ServerKinds.SseChatPostgres, ServerKinds.Memory, ServerKinds.SignalR];

    /// <summary>Subscribers one load process holds: well under the 20,000 open files a process may have.</summary>
    public int SubscribersPerAgent { get; init; } = 5_000;

    public string CommandLine { get; init; } = "";

    public bool ReportOnly { get; init; }

    public const string Usage = """
        usage: bench/run.sh [options]
          --runs N              repetitions; every figure is the median (default 3)
          --subscribers A,B,..  fan-out sizes (default 1000,5000,10000,19000)
          --duration S          seconds of posting per measurement (default 15)
          --scenario LIST       fanout,throughput,resume (default all)
          --servers LIST        ssechat,ssechat-pg,ssechat-fleet,memory,signalr (default all but
                                ssechat-fleet, which is in the default only on 4 cores or more)
          --resume-clients N    clients reconnecting at once (default 1000)
          --quick               a smoke run: 1 run, 200 and 1000 subscribers, 5 s
          --output DIR          where results.json, results.md and the chart go (default docs/benchmarks)
          --report-only         only render results.md and the chart again from DIR/results.json
          --web DIR             the published SseChat.Web (run.sh passes it)
        """;

    public static BenchOptions Parse(string[] args)
    {
        string? web = null;
        var options = new BenchOptions { WebDirectory = "", CommandLine = string.Join(' ', args.Where((a, i) => a != "--web" && (i == 0 || args[i - 1] != "--web"))) };
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            static int[] Ints(string list) => [.. list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
            options = args[i] switch
            {
                "--runs" => options with { Runs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--subscribers" => options with { Subscribers = Ints(Next()) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--scenario" => options with { Scenarios = Next().Split(',') },
                "--servers" => options with { Servers = Next().Split(',') },
                "--resume-clients" => options with { ResumeClients = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--quick" => options with { Runs = 1, Subscribers = [200, 1_000], Duration = TimeSpan.FromSeconds(5), ResumeClients = 200 },
                "--report-only" => options with { ReportOnly = true },
                "--output" => options with { OutputDirectory = Path.GetFullPath(Next()) },
                "--web" => options with { WebDirectory = web = Path.GetFullPath(Next()) },
                _ => throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}"),
            };
        }
        if (options.Servers.FirstOrDefault(s => !ServerKinds.All.Contains(s)) is { } unknown)
        {
            throw new ArgumentException($"Unknown server {unknown}.\n{Usage}");
        }
        if (web is null || !File.Exists(Path.Combine(web, "SseChat.Web.dll")))
        {
            throw new ArgumentException($"--web must name a published SseChat.Web folder.\n{Usage}");
        }
        return options;
    }
}
