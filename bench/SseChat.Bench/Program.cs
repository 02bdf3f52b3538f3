using SseChat.Bench.Load;
using SseChat.Bench.Orchestration;
using SseChat.Bench.Servers;

// One program, four roles: the orchestrator (no mode) starts the others as child processes, each pinned by taskset.
return args switch
{
    ["serve-memory", .. var rest] => await InMemoryServer.RunAsync(rest),
    ["serve-signalr", .. var rest] => await SignalRServer.RunAsync(rest),
    ["agent", .. var rest] => await Agent.RunAsync(rest),
    _ => await BenchCommand.RunAsync(args),
};
