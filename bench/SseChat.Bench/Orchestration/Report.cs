using System.Globalization;
using System.Text;
using ScottPlot;

namespace SseChat.Bench.Orchestration;

/// <summary>Medians over the runs, SseChat's ratios to the baselines of the same run, the targets, and the chart.</summary>
internal static class Report
{
    private static readonly Dictionary<string, string> Names = new()
    {
        ["ssechat"] = "SseChat",
        ["ssechat-pg"] = "SseChat on PostgreSQL + Redis",
        ["ssechat-fleet"] = "SseChat, 2 nodes + nginx",
        ["memory"] = "in-memory SSE",
        ["signalr"] = "SignalR hub",
    };

    public static void Write(BenchOptions options, BenchResults results)
    {
        var markdown = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var runs = results.Fanout.Select(r => r.Run).Concat(results.Throughput.Select(r => r.Run)).Concat(results.Resume.Select(r => r.Run)).Distinct().Count();
        void Line(string text = "") => markdown.Append(text).Append('\n');

        Line($"Command: `{results.Command}`  ");
        Line($"Date: {results.StartedAt:yyyy-MM-dd HH:mm} to {results.FinishedAt:HH:mm} UTC  ");
        Line($"Machine: {results.Machine}  ");
        Line($"Every figure is the median of {runs} run(s); ratios are SseChat / baseline, taken within each run, then the median.");
        Line();

        if (results.Fanout.Count > 0)
        {
            Line($"### Fan-out: one room, {options.FanoutRate} messages/s for {options.Duration.TotalSeconds:F0} s");
            Line();
            Line("| server | subscribers | p50 ms | p99 ms | max ms | connect s | connect failures | server KB/conn | server CPU % | client CPU % | deliveries | missing | duplicated |");
            Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var group in results.Fanout.GroupBy(r => (r.Subscribers, r.Server)).OrderBy(g => g.Key.Subscribers).ThenBy(g => Order(g.Key.Server)))
            {
                var g = group.ToList();
                Line(string.Create(inv,
                    $"| {Names[group.Key.Server]} | {group.Key.Subscribers:N0} | {Median(g, r => r.P50Ms):F1} | {Median(g, r => r.P99Ms):F1} | {Median(g, r => r.MaxMs):F1} | " +
                    $"{Median(g, r => r.ConnectSeconds):F1} | {g.Sum(r => r.ConnectFailures)} | {Median(g, r => r.ServerKbPerConnection):F1} | " +
                    $"{Median(g, r => r.ServerCpuPercent):F0} | {Median(g, r => r.ClientCpuPercent):F0} | {Median(g, r => r.Deliveries):F0} | {g.Sum(r => r.Missing)} | {g.Sum(r => r.Duplicated)} |"));
            }
            Line();
            Line("SseChat's fan-out as a ratio to each baseline (below 1 is better for latency and memory):");
            Line();
            Line("| subscribers | p99 vs in-memory | p99 vs SignalR | p50 vs in-memory | p50 vs SignalR | KB/conn vs in-memory | KB/conn vs SignalR |");
            Line("|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var size in results.Fanout.Select(r => r.Subscribers).Distinct().Order())
            {
                string R(string baseline, Func<FanoutResult, double> metric) =>
                    Ratio(results.Fanout.Where(r => r.Subscribers == size).ToList(), baseline, metric);
                Line($"| {size.ToString("N0", inv)} | {R("memory", r => r.P99Ms)} | {R("signalr", r => r.P99Ms)} | {R("memory", r => r.P50Ms)} | {R("signalr", r => r.P50Ms)} | " +
                    $"{R("memory", r => r.ServerKbPerConnection)} | {R("signalr", r => r.ServerKbPerConnection)} |");
            }
            Line();
        }

        if (results.Throughput.Count > 0)
        {
            var first = results.Throughput[0];
            Line($"### Throughput: {first.Subscribers} subscribers, {first.Posters} posters as fast as answers come, {options.Duration.TotalSeconds:F0} s");
            Line();
            Line("| server | stored msg/s | deliveries/s | POST p50 ms | POST p99 ms | failed posts | missing | duplicated |");
            Line("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var group in results.Throughput.GroupBy(r => r.Server).OrderBy(g => Order(g.Key)))
            {
                var g = group.ToList();
                Line(string.Create(inv,
                    $"| {Names[group.Key]} | {Median(g, r => r.MessagesPerSecond):F0} | {Median(g, r => r.DeliveriesPerSecond):F0} | {Median(g, r => r.PostP50Ms):F1} | " +
                    $"{Median(g, r => r.PostP99Ms):F1} | {g.Sum(r => r.FailedPosts)} | {g.Sum(r => r.Missing)} | {g.Sum(r => r.Duplicated)} |"));
            }
            Line();
            Line($"SseChat's stored messages/s: {Ratio(results.Throughput, "memory", r => r.MessagesPerSecond)} of the in-memory broadcaster's, " +
                $"{Ratio(results.Throughput, "signalr", r => r.MessagesPerSecond)} of the SignalR hub's.");
            Line();
        }

        if (results.Resume.Count > 0)
        {
            var first = results.Resume[0];
            Line($"### Resume: {first.Clients:N0} clients reconnect at once, each {first.Behind} events behind, while 10 messages/s go live");
            Line();
            Line("| server | all caught up after s | not caught up | connect failures | live p99 ms meanwhile | live missing |");
            Line("|---|---:|---:|---:|---:|---:|");
            foreach (var group in results.Resume.GroupBy(r => r.Server).OrderBy(g => Order(g.Key)))
            {
                var g = group.ToList();
                Line(string.Create(inv,
                    $"| {Names[group.Key]} | {Median(g, r => r.CatchUpSeconds):F2} | {g.Sum(r => r.NotCaughtUp)} | {g.Sum(r => r.ConnectFailures)} | {Median(g, r => r.LiveP99Ms):F1} | {g.Sum(r => r.LiveMissing)} |"));
            }
            Line();
        }

        var stacks = SseChat.Bench.Load.ServerKinds.All
            .Where(k => k is SseChat.Bench.Load.ServerKinds.SseChatPostgres or SseChat.Bench.Load.ServerKinds.SseChatFleet)
            .Where(k => results.Fanout.Any(r => r.Server == k) || results.Throughput.Any(r => r.Server == k)).ToList();
        if (stacks.Count > 0)
        {
            Line("### SseChat on PostgreSQL + Redis against SseChat on SQLite");
            Line();
            Line("Ratios to SseChat on SQLite of the same run (below 1 is better for latency, above 1 for stored messages/s).");
            Line();
            Line($"| subscribers | {string.Join(" | ", stacks.Select(k => $"{Names[k]}: fan-out p99 vs SQLite"))} |");
            Line($"|---:|{string.Concat(stacks.Select(_ => "---:|"))}");
            foreach (var size in results.Fanout.Select(r => r.Subscribers).Distinct().Order())
            {
                var points = results.Fanout.Where(r => r.Subscribers == size).ToList();
                Line($"| {size.ToString("N0", inv)} | {string.Join(" | ", stacks.Select(k => Ratio(points, "ssechat", r => r.P99Ms, subject: k)))} |");
            }
            Line();
            Line("Stored messages/s against SseChat on SQLite: " + string.Join(", ",
                stacks.Select(k => $"{Names[k]} {Ratio(results.Throughput, "ssechat", r => r.MessagesPerSecond, subject: k)}")) + ".");
            Line();
        }

        Line("### Targets");
        Line();
        Line("| target | measured | met |");
        Line("|---|---|---|");
        foreach (var (target, measured, met) in Targets(results))
        {
            Line($"| {target} | {measured} | {(met is null ? "not measured" : met.Value ? "yes" : "**no**")} |");
        }

        File.WriteAllText(Path.Combine(options.OutputDirectory, "results.md"), markdown.ToString());
        if (results.Fanout.Count > 0)
        {
            WriteChart(options, results, runs);
        }
    }

    private static IEnumerable<(string Target, string Measured, bool? Met)> Targets(BenchResults results)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var size in new[] { 10_000, 19_000 })
        {
            var points = results.Fanout.Where(r => r.Subscribers == size).ToList();
            var vsMemory = RatioValue(points, "memory", r => r.P99Ms);
            var vsSignalR = RatioValue(points, "signalr", r => r.P99Ms);
            yield return ($"fan-out p99 at {size:N0} no worse than in-memory (ratio <= 1)", Format(vsMemory), Met(vsMemory, vsMemory <= 1));
            yield return ($"fan-out p99 at {size:N0} at most half SignalR's (ratio <= 0.5)", Format(vsSignalR), Met(vsSignalR, vsSignalR <= 0.5));
        }
        var sseChat = results.Fanout.Where(r => r.Server == "ssechat").ToList();
        var lost = sseChat.Sum(r => r.Missing + r.Duplicated) + results.Throughput.Where(r => r.Server == "ssechat").Sum(r => r.Missing + r.Duplicated);
        yield return ("zero missing and zero duplicated deliveries (SseChat, all runs)", lost.ToString(inv), sseChat.Count > 0 ? lost == 0 : null);
        var at19k = sseChat.Where(r => r.Subscribers == 19_000).ToList();
        yield return ("19,000 subscribers connect with zero failures", at19k.Sum(r => r.ConnectFailures).ToString(inv) + " failures",
            at19k.Count > 0 ? at19k.Sum(r => r.ConnectFailures) == 0 : null);
        var tMemory = RatioValue(results.Throughput, "memory", r => r.MessagesPerSecond);
        var tSignalR = RatioValue(results.Throughput, "signalr", r => r.MessagesPerSecond);
        yield return ("throughput >= 0.8x in-memory", Format(tMemory), Met(tMemory, tMemory >= 0.8));
        yield return ("throughput >= 1.8x SignalR", Format(tSignalR), Met(tSignalR, tSignalR >= 1.8));
        var largest = sseChat.Count > 0 ? sseChat.Max(r => r.Subscribers) : 0;
        var memory = sseChat.Count > 0 ? Median(sseChat.Where(r => r.Subscribers == largest).ToList(), r => r.ServerKbPerConnection) : double.NaN;
        yield return ($"<= 16 KB server memory per idle subscriber (at {largest:N0})", string.Create(inv, $"{memory:F1} KB"), sseChat.Count > 0 ? memory <= 16 : null);
        var resume = results.Resume.Where(r => r.Server == "ssechat").ToList();
        var catchUp = resume.Count > 0 ? Median(resume, r => r.CatchUpSeconds) : double.NaN;
        yield return ("resume: 1,000 clients 100 behind caught up within 5 s", string.Create(inv, $"{catchUp:F2} s"),
            resume.Count > 0 ? catchUp <= 5 && resume.Sum(r => r.NotCaughtUp) == 0 : null);
    }

    private static void WriteChart(BenchOptions options, BenchResults results, int runs)
    {
        var plot = new Plot();
        var colors = new Dictionary<string, Color>
        {
            ["ssechat"] = Colors.Blue,
            ["ssechat-pg"] = Colors.Purple,
            ["ssechat-fleet"] = Colors.DarkCyan,
            ["memory"] = Colors.Green,
            ["signalr"] = Colors.OrangeRed,
        };
        foreach (var server in results.Fanout.Select(r => r.Server).Distinct().OrderBy(Order))
        {
            var bySize = results.Fanout.Where(r => r.Server == server).GroupBy(r => r.Subscribers).OrderBy(g => g.Key).ToList();
            double[] sizes = [.. bySize.Select(g => (double)g.Key)];
            foreach (var (label, metric, pattern) in new (string, Func<FanoutResult, double>, LinePattern)[]
            {
                ("p50", r => r.P50Ms, LinePattern.Dotted),
                ("p99", r => r.P99Ms, LinePattern.Solid),
                ("max", r => r.MaxMs, LinePattern.Dashed),
            })
            {
                var line = plot.Add.Scatter(sizes, bySize.Select(g => Median(g.ToList(), metric)).ToArray());
                line.LegendText = $"{Names[server]} {label}";
                line.Color = colors.GetValueOrDefault(server, Colors.Black);
                line.LinePattern = pattern;
                line.LineWidth = 2;
            }
        }
        plot.Title($"Fan-out latency: one room, {options.FanoutRate} messages/s (median of {runs} runs)");
        plot.XLabel("subscribers in the room");
        plot.YLabel("delivery latency (ms), post to receipt");
        plot.ShowLegend(Alignment.UpperLeft);
        // PNG only: Skia's SVG writer cannot draw the dash patterns that tell p50, p99 and max apart.
        plot.SavePng(Path.Combine(options.OutputDirectory, "fanout-latency.png"), 1000, 600);
    }

    private static bool? Met(double measured, bool met) => double.IsNaN(measured) ? null : met;

    private static int Order(string server) => Array.IndexOf(SseChat.Bench.Load.ServerKinds.All, server);

    private static double Median<T>(IReadOnlyList<T> items, Func<T, double> metric)
    {
        var values = items.Select(metric).Order().ToArray();
        return values.Length == 0 ? double.NaN
            : values.Length % 2 == 1 ? values[values.Length / 2]
            : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }

    /// <summary><paramref name="subject"/> / baseline within each run, then the median over runs.</summary>
    private static double RatioValue<T>(IReadOnlyList<T> items, string baseline, Func<T, double> metric, string subject = "ssechat")
        where T : class
    {
        static (string Server, int Run) Key(T item) => item switch
        {
            FanoutResult f => (f.Server, f.Run),
            ThroughputResult t => (t.Server, t.Run),
            _ => throw new ArgumentException("unexpected result type"),
        };
        var ratios = items.Where(i => Key(i).Server == subject)
            .Select(i => (Mine: metric(i), Theirs: items.FirstOrDefault(b => Key(b) == (baseline, Key(i).Run))))
            .Where(pair => pair.Theirs is not null && metric(pair.Theirs) > 0)
            .Select(pair => pair.Mine / metric(pair.Theirs!))
            .ToList();
        return Median(ratios, r => r);
    }

    private static string Ratio<T>(IReadOnlyList<T> items, string baseline, Func<T, double> metric, string subject = "ssechat")
        where T : class =>
        Format(RatioValue(items, baseline, metric, subject));

    private static string Format(double ratio) =>
        double.IsNaN(ratio) ? "n/a" : ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";
}
