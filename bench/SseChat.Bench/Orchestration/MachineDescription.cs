using System.Runtime.InteropServices;

namespace SseChat.Bench.Orchestration;

internal static class MachineDescription
{
    /// <summary>CPU model, cores, memory, OS and runtime, as the results should state them.</summary>
    public static string Read()
    {
        var cpuInfo = File.Exists("/proc/cpuinfo") ? File.ReadAllLines("/proc/cpuinfo") : [];
        var cpu = cpuInfo.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        // Not Environment.ProcessorCount: under taskset it counts only the cores this process may use.
        var cores = cpuInfo.Count(l => l.StartsWith("processor", StringComparison.Ordinal));
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{cpu ?? "unknown CPU"}, {cores} cores, {memory ?? "? kB"} RAM, " +
            $"{RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}
