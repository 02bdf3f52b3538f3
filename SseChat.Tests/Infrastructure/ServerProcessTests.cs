namespace SseChat.Tests.Infrastructure;

/// <summary>
/// Base of tests that run the app as a process of its own (so it can be killed or sent SIGTERM) on a database of the
/// test: a SQLite file in a temp folder of the test, or in the PostgreSQL run a fresh database on the test process's
/// PostgreSQL server. Every process a test starts is ended with it.
/// </summary>
public abstract class ServerProcessTests : IAsyncLifetime
{
    private readonly DirectoryInfo folder;
    private readonly List<ChatServerProcess> servers = [];

    protected ServerProcessTests(string folderPrefix)
    {
        folder = Directory.CreateTempSubdirectory(folderPrefix);
        Database = ChatDatabase.CreateForRun(folder, folderPrefix);
    }

    /// <summary>The test's database, which every process the test starts shares.</summary>
    protected ChatDatabase Database { get; }

    /// <summary>The SQLite file; only for tests traited <c>Database=SqliteOnly</c>, it throws on PostgreSQL.</summary>
    protected string DatabasePath => Database.SqlitePath;

    /// <summary>Starts the app on the test's database; a later start serves the same data, as a restart would.</summary>
    /// <param name="settings">Extra configuration, as <see cref="ChatServerProcess.StartAsync"/> takes it.</param>
    /// <param name="publishedFolder">A <c>dotnet publish</c> output to run instead of the build output.</param>
    protected async Task<ChatServerProcess> StartServerAsync(
        IDictionary<string, string>? settings = null, string? publishedFolder = null)
    {
        var server = await ChatServerProcess.StartAsync(Database, settings, publishedFolder: publishedFolder);
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
        Database.DropIfPostgres();
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
