using System.Runtime.InteropServices;

namespace SseChat.Bench.Orchestration;

internal static class MachineDescription
{
    /// <summary>
    /// The machine's cores. Not Environment.ProcessorCount: under taskset (run.sh pins the bench to core 1) it counts
    /// only the cores this process may use.
    /// </summary>
    public static int Cores => File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal))
        : Environment.ProcessorCount;

    /// <summary>CPU model, cores, memory, OS and runtime, as the results should state them.</summary>
    public static string Read()
    {
        var cpuInfo = File.Exists("/proc/cpuinfo") ? File.ReadAllLines("/proc/cpuinfo") : [];
        var cpu = cpuInfo.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        var cores = Cores;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{cpu ?? "unknown CPU"}, {cores} cores, {memory ?? "? kB"} RAM, " +
            $"{RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}
