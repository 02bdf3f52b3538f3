using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HdrHistogram;
using Spectre.Console;
using SseChat.Bench.Load;

namespace SseChat.Bench.Orchestration;

/// <summary>
/// The orchestrator: for every run and server, starts the server on core 0 and the load processes on core 1, runs
/// the scenarios, stops everything by PID, and writes the results, the Markdown tables and the chart.
/// </summary>
internal static class BenchCommand
{
    private const int WarmUpMessages = 50;

    // Enough connects and posts that the paths measured run optimized (tier-1) code, not the JIT's first tier.
    private const int WarmUpSubscribers = 500;

    public static async Task<int> RunAsync(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return 2;
        }

        Directory.CreateDirectory(options.OutputDirectory);
        if (options.ReportOnly)
        {
            // Renders the tables and the chart again from results.json, e.g. of a run that was interrupted.
            await using var saved = File.OpenRead(Path.Combine(options.OutputDirectory, "results.json"));
            var previous = await JsonSerializer.DeserializeAsync(saved, ResultsJsonContext.Default.BenchResults)
                ?? throw new InvalidOperationException("results.json is empty.");
            Report.Write(options, previous);
            return 0;
        }
        var scratch = Directory.CreateTempSubdirectory("ssechat-bench-").FullName;
        var results = new BenchResults
        {
            Command = $"./bench/run.sh {options.CommandLine}".TrimEnd(),
            StartedAt = DateTime.UtcNow,
            Machine = MachineDescription.Read(),
        };
        AnsiConsole.MarkupLine($"[bold]SseChat benchmark[/]: {Markup.Escape(results.Machine)}");
        AnsiConsole.MarkupLine($"Logs of the servers and load processes: {Markup.Escape(scratch)}");

        var steps = options.Runs * options.Servers.Length;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var overall = progress.AddTask("[bold]all runs[/]", maxValue: steps);
                for (var run = 1; run <= options.Runs; run++)
                {
                    for (var s = 0; s < options.Servers.Length; s++)
                    {
                        var kind = options.Servers[s];
                        var task = progress.AddTask($"run {run}, {kind}");
                        var session = new ServerSession(options, kind, run, s, scratch, results,
                            status =>
                            {
                                task.Description = $"run {run}, {kind}: {Markup.Escape(status)}";
                                File.AppendAllText(Path.Combine(scratch, "steps.log"),
                                    string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss} run {run} {kind}: {status}\n"));
                            });
                        await session.RunAsync();
                        task.Description = $"run {run}, {kind}: done";
                        task.Value = task.MaxValue;
                        overall.Increment(1);
                        await SaveAsync(options, results); // partial results survive an interrupted run
                    }
                }
            });

        results.FinishedAt = DateTime.UtcNow;
        await SaveAsync(options, results);
        Report.Write(options, results);
        AnsiConsole.MarkupLine($"Results in {Markup.Escape(options.OutputDirectory)}");
        return 0;
    }

    private static async Task SaveAsync(BenchOptions options, BenchResults results)
    {
        await using var file = File.Create(Path.Combine(options.OutputDirectory, "results.json"));
        await JsonSerializer.SerializeAsync(file, results, ResultsJsonContext.Default.BenchResults);
    }

    /// <summary>One server, one run: started fresh, measured through every scenario, stopped.</summary>
    private sealed class ServerSession(
        BenchOptions options, string kind, int run, int serverIndex, string scratch, BenchResults results, Action<string> status)
    {
        private int phase;
        private AgentPool agents = null!;

        public async Task RunAsync()
        {
            status("starting the server");
            var port = 5600 + (run * 10) + serverIndex;
            await using var server = await ServerProcess.StartAsync(kind, options, port, scratch);
            var largest = options.Subscribers.Append(options.ResumeClients).Append(options.ThroughputSubscribers).Max();
            var agentCount = (largest + options.SubscribersPerAgent - 1) / options.SubscribersPerAgent;
            // A source network of its own per run and server: no port or TIME_WAIT left over from an earlier one.
            await using var agents = new AgentPool(kind, server.BaseUrl, agentCount, $"127.{run}.{serverIndex + 1}", scratch);
            this.agents = agents;

            await WarmUpAsync(server);
            if (options.Scenarios.Contains("fanout"))
            {
                await FanoutAsync(server);
            }
            if (options.Scenarios.Contains("throughput") || options.Scenarios.Contains("resume"))
            {
                await ConnectAsync(agents, options.ThroughputSubscribers);
                if (options.Scenarios.Contains("throughput"))
                {
                    await ThroughputAsync(server);
                }
                if (options.Scenarios.Contains("resume"))
                {
                    await ResumeAsync(server);
                }
                await agents.SendAllAsync(new AgentCommand(AgentCommand.Close));
            }
            status("stopping the server");
        }

        /// <summary>JIT, pools and the database file warmed up before anything is measured.</summary>
        private async Task WarmUpAsync(IServerUnderTest server)
        {
            status("warming up");
            await ConnectAsync(agents, WarmUpSubscribers);
            await using var poster = await Posters.CreateAsync(kind, server.BaseUrl, "warm-up");
            var posted = await PostAsync([poster], rate: 50, WarmUpMessages / 50.0);
            await ReportAsync(agents, posted.Sent);
            await agents.SendAllAsync(new AgentCommand(AgentCommand.Close));
            await Task.Delay(1000);
        }

        private async Task FanoutAsync(IServerUnderTest server)
        {
            // Memory per connection is the growth of the server's resident set over each step's new connections:
            // a difference of two nearby sizes is less thrown off by garbage the GC has not yet returned than a
            // difference from an idle server.
            var residentBefore = server.ResidentBytes;
            var connected = 0;
            await using var poster = await Posters.CreateAsync(kind, server.BaseUrl, "fan-out");
            foreach (var size in options.Subscribers.Order())
            {
                status($"fan-out: connecting {size:N0} subscribers");
                var connect = await ConnectAsync(agents, size - connected);
                await Task.Delay(2000); // settle: connect-time garbage collected, queues idle
                var resident = server.ResidentBytes;
                var bytesPerConnection = (double)(resident - residentBefore) / (size - connected);
                (residentBefore, connected) = (resident, size);

                status($"fan-out: {size:N0} subscribers, {options.FanoutRate} msg/s for {options.Duration.TotalSeconds} s");
                var (serverCpu, clientCpu) = (server.CpuTime, ClientCpu(agents));
                var posted = await PostAsync([poster], options.FanoutRate, options.Duration.TotalSeconds);
                var serverCpuPercent = 100 * (server.CpuTime - serverCpu) / posted.Elapsed;
                var clientCpuPercent = 100 * (ClientCpu(agents) - clientCpu) / posted.Elapsed;
                status($"fan-out: {size:N0} subscribers, waiting for the last deliveries");
                var report = await ReportAsync(agents, posted.Sent);

                var result = new FanoutResult(kind, run, size, posted.Sent.Sum(),
                    Ms(report.Latency.GetValueAtPercentile(50)), Ms(report.Latency.GetValueAtPercentile(99)),
                    Ms(report.Latency.GetMaxValue()),
                    connect.Seconds, connect.Failed, bytesPerConnection / 1024, serverCpuPercent, clientCpuPercent,
                    report.Deliveries, report.Missing, report.Duplicated);
                results.Fanout.Add(result);
                AnsiConsole.MarkupLine(
                    $"  run {run} {kind,-8} fan-out {size,6:N0}: p50 {result.P50Ms,7:F1} ms  p99 {result.P99Ms,7:F1} ms  max {result.MaxMs,7:F1} ms  " +
                    $"connect {result.ConnectSeconds:F1} s ({result.ConnectFailures} failed)  {result.ServerKbPerConnection:F1} KB/conn  " +
                    $"missing {result.Missing}  duplicated {result.Duplicated}");
            }
            await agents.SendAllAsync(new AgentCommand(AgentCommand.Close));
            await Task.Delay(2000);
        }

        private async Task ThroughputAsync(IServerUnderTest server)
        {
            status($"throughput: {options.ThroughputPosters} posters as fast as they can for {options.Duration.TotalSeconds} s");
            var posters = await Task.WhenAll(Enumerable.Range(0, options.ThroughputPosters)
                .Select(i => Posters.CreateAsync(kind, server.BaseUrl, $"poster {i}")));
            try
            {
                var posted = await PostAsync(posters, rate: null, options.Duration.TotalSeconds);
                status("throughput: waiting for the last deliveries");
                var report = await ReportAsync(agents, posted.Sent);
                var seconds = posted.Elapsed.TotalSeconds;
                var result = new ThroughputResult(kind, run, options.ThroughputSubscribers, posters.Length, seconds,
                    posted.Sent.Sum(), posted.Failed, posted.Sent.Sum() / seconds, report.Deliveries / seconds,
                    Ms(posted.PostLatency.GetValueAtPercentile(50)), Ms(posted.PostLatency.GetValueAtPercentile(99)),
                    report.Missing, report.Duplicated);
                results.Throughput.Add(result);
                AnsiConsole.MarkupLine(
                    $"  run {run} {kind,-8} throughput: {result.MessagesPerSecond:F0} msg/s stored, {result.DeliveriesPerSecond:F0} deliveries/s, " +
                    $"POST p50 {result.PostP50Ms:F1} ms p99 {result.PostP99Ms:F1} ms, failed {result.FailedPosts}, missing {result.Missing}, duplicated {result.Duplicated}");
            }
            finally
            {
                foreach (var poster in posters)
                {
                    await poster.DisposeAsync();
                }
            }
        }

        /// <summary>
        /// The room gets <see cref="BenchOptions.ResumeBehind"/> new messages, then that many clients reconnect at
        /// once from before them, while live posting (10/s) goes on to the connected subscribers.
        /// </summary>
        private async Task ResumeAsync(IServerUnderTest server)
        {
            status($"resume: posting {options.ResumeBehind} messages to catch up on");
            await using var poster = await Posters.CreateAsync(kind, server.BaseUrl, "resume");
            var missed = await PostAsync([poster], rate: null, seconds: null, count: options.ResumeBehind);
            await ReportAsync(agents, missed.Sent);
            var target = missed.LastSeq;

            status($"resume: {options.ResumeClients:N0} clients reconnect at once, {options.ResumeBehind} behind");
            await using var livePoster = await Posters.CreateAsync(kind, server.BaseUrl, "live");
            await agents.SendAllAsync(new AgentCommand(AgentCommand.BeginPhase) { Phase = ++phase });
            using var stopLive = new CancellationTokenSource();
            var live = PostAsync([livePoster], options.FanoutRate, seconds: null, count: null, phaseAlreadyBegun: true, stopLive.Token);
            var resumed = await agents.SendAsync(i => new AgentCommand(AgentCommand.Resume)
            {
                Count = agents.ShareOf(options.ResumeClients, i),
                After = target - options.ResumeBehind,
                Target = target,
            });
            await Task.Delay(1000); // some live posting after the catch-up, too
            await stopLive.CancelAsync();
            var livePosted = await live;
            var liveReport = await ReportAsync(agents, livePosted.Sent);

            var result = new ResumeResult(kind, run, options.ResumeClients, options.ResumeBehind,
                resumed.Max(r => r.ElapsedMs) / 1000, resumed.Sum(r => r.Missing), resumed.Sum(r => r.Failed),
                Ms(liveReport.Latency.GetValueAtPercentile(99)), liveReport.Missing);
            results.Resume.Add(result);
            AnsiConsole.MarkupLine(
                $"  run {run} {kind,-8} resume: {result.Clients:N0} clients caught up in {result.CatchUpSeconds:F2} s " +
                $"(not caught up {result.NotCaughtUp}, failed {result.ConnectFailures}); live p99 meanwhile {result.LiveP99Ms:F1} ms");
        }

        private static async Task<(double Seconds, int Failed)> ConnectAsync(AgentPool agents, int count)
        {
            var started = Stopwatch.GetTimestamp();
            var replies = await agents.SendAsync(i => new AgentCommand(AgentCommand.Connect) { Count = agents.ShareOf(count, i) });
            return (Stopwatch.GetElapsedTime(started).TotalSeconds, replies.Sum(r => r.Failed));
        }

        private static TimeSpan ClientCpu(AgentPool agents) => agents.CpuTime + Process.GetCurrentProcess().TotalProcessorTime;

        private sealed record Posted(int[] Sent, int Failed, LongHistogram PostLatency, TimeSpan Elapsed, long LastSeq);

        private sealed record Reported(LongHistogram Latency, long Deliveries, long Missing, long Duplicated);

        /// <summary>
        /// Starts a phase and has each poster post, one message at a time: paced at <paramref name="rate"/> messages per
        /// second, or as fast as answers come; for <paramref name="seconds"/>, <paramref name="count"/> messages, or until
        /// cancelled.
        /// </summary>
        private Task<Posted> PostAsync(IPoster[] posters, int? rate, double? seconds, int? count = null) =>
            PostAsync(posters, rate, seconds, count, phaseAlreadyBegun: false, CancellationToken.None);

        private async Task<Posted> PostAsync(
            IPoster[] posters, int? rate, double? seconds, int? count, bool phaseAlreadyBegun, CancellationToken cancellationToken)
        {
            if (!phaseAlreadyBegun)
            {
                // The agents are told before the first post, so no delivery of this phase can arrive unexpected.
                await agents.SendAllAsync(new AgentCommand(AgentCommand.BeginPhase) { Phase = ++phase });
            }
            var latency = new LongHistogram(DeliveryTracker.HighestMicroseconds, 3);
            var sent = new int[posters.Length];
            var failed = 0;
            long lastSeq = 0;
            var started = Stopwatch.GetTimestamp();
            var end = seconds is { } s ? started + (long)(s * Stopwatch.Frequency) : long.MaxValue;
            var currentPhase = phase;
            var gate = new Lock();

            async Task PostOneAsync(IPoster poster, int p, int number)
            {
                var sentAt = Stopwatch.GetTimestamp();
                long? seq;
                try
                {
                    seq = await poster.PostAsync(new Stamp(currentPhase, p, number, sentAt).Format(), CancellationToken.None);
                }
                catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or IOException)
                {
                    seq = null;
                }
                lock (gate)
                {
                    latency.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(sentAt).TotalMicroseconds));
                    if (seq is { } stored)
                    {
                        sent[p]++;
                        lastSeq = Math.Max(lastSeq, stored);
                    }
                    else
                    {
                        failed++;
                    }
                }
            }

            await Task.WhenAll(posters.Select(async (poster, p) =>
            {
                var inFlight = new List<Task>();
                for (var number = 1; ; number++)
                {
                    var due = rate is { } r ? started + ((number - 1) * Stopwatch.Frequency / r) : Stopwatch.GetTimestamp();
                    if (due >= end || (count is { } c && number > c) || cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        try
                        {
                            await Task.Delay(wait, cancellationToken);
                        }
                        catch (OperationCanceledException)
                        {
                            break;
                        }
                    }
                    if (rate is null)
                    {
                        await PostOneAsync(poster, p, number); // as fast as answers come: one at a time
                    }
                    else
                    {
                        // Paced posts go out on schedule whether or not the previous one was answered (an open
                        // loop), so a slow server cannot slow the offered load down and hide its own latency.
                        inFlight.Add(PostOneAsync(poster, p, number));
                    }
                }
                await Task.WhenAll(inFlight);
            }));
            return new Posted(sent, failed, latency, Stopwatch.GetElapsedTime(started), lastSeq);
        }

        private static async Task<Reported> ReportAsync(AgentPool agents, int[] sent)
        {
            var replies = await agents.SendAllAsync(new AgentCommand(AgentCommand.Report) { Sent = sent, TimeoutSeconds = 20 });
            var latency = new LongHistogram(DeliveryTracker.HighestMicroseconds, 3);
            foreach (var reply in replies)
            {
                foreach (var bucket in reply.Latency)
                {
                    latency.RecordValueWithCount(bucket[0], bucket[1]);
                }
            }
            return new Reported(latency, replies.Sum(r => r.Deliveries), replies.Sum(r => r.Missing), replies.Sum(r => r.Duplicated));
        }

        private static double Ms(long microseconds) => microseconds / 1000.0;
    }
}
