namespace SseChat.Tests.Infrastructure;

/// <summary>
/// Base of tests that run the app as a process of its own (so it can be killed or sent SIGTERM) on a SQLite file in a
/// temp folder of the test; every process a test starts is ended with it.
/// </summary>
public abstract class ServerProcessTests(string folderPrefix) : IAsyncLifetime
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory(folderPrefix);
    private readonly List<ChatServerProcess> servers = [];

    protected string DatabasePath => Path.Combine(folder.FullName, "chat.db");

    /// <summary>Starts the app on the test's database; a later start serves the same file, as a restart would.</summary>
    /// <param name="settings">Extra configuration, as <see cref="ChatServerProcess.StartAsync"/> takes it.</param>
    /// <param name="publishedFolder">A <c>dotnet publish</c> output to run instead of the build output.</param>
    protected async Task<ChatServerProcess> StartServerAsync(
        IDictionary<string, string>? settings = null, string? publishedFolder = null)
    {
        var server = await ChatServerProcess.StartAsync(DatabasePath, settings, publishedFolder: publishedFolder);
        servers.Add(server);
        return server;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var server in servers)
        {
            server.Dispose();
        }
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; failing the test over it is not.
        }
        return Task.CompletedTask;
    }
}
