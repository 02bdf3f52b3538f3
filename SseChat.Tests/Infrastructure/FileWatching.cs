namespace SseChat.Tests.Infrastructure;

/// <summary>
/// How the apps under test watch files. Each app watches its configuration files and web root (for
/// <c>asp-append-version</c>), and on Linux every watcher is an inotify instance, of which one user may hold only
/// 128 (<c>fs.inotify.max_user_instances</c>), shared with everything else that user runs. The suite runs many apps
/// at once, so they poll instead and never reload configuration; production keeps the framework's defaults.
/// </summary>
internal static class FileWatching
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>
    {
        ["DOTNET_USE_POLLING_FILE_WATCHER"] = "true",
        ["DOTNET_hostBuilder__reloadConfigOnChange"] = "false",
    };

    /// <summary>Applies the variables to this test process, for the apps it hosts itself.</summary>
    public static void UsePollingInThisProcess()
    {
        foreach (var (name, value) in EnvironmentVariables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
