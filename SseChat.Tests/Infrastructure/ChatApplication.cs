using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using SseChat.Web.Data;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// The real app on a real Kestrel listener at 127.0.0.1 (random port) with a database of its own, migrated at
/// start-up exactly as in production: a SQLite file in a temp folder, or in the PostgreSQL run
/// (<c>SSECHAT_TEST_DATABASE=Postgres</c>) a fresh database on the test process's PostgreSQL server. One per test
/// class, or per test where state matters.
/// </summary>
public sealed class ChatApplication : WebApplicationFactory<Program>
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ssechat-tests-");

    static ChatApplication() => FileWatching.UsePollingInThisProcess();
    private readonly Dictionary<string, string?> settings;
    private readonly bool ownsDatabase;

    public ChatApplication() : this(new Dictionary<string, string?>())
    {
    }

    /// <param name="settings">Configuration overrides, as an operator would set them.</param>
    /// <param name="connectionOptions">
    /// Extra SQLite connection-string keywords, e.g. "Default Timeout=1"; the PostgreSQL run keeps its own.
    /// </param>
    /// <param name="sharedDatabase">
    /// Another application's <see cref="Database"/>: this one is then a second node of the same database, which it
    /// leaves in place when disposed.
    /// </param>
    public ChatApplication(IDictionary<string, string?> settings, string connectionOptions = "", ChatDatabase? sharedDatabase = null)
    {
        ownsDatabase = sharedDatabase is null && !settings.ContainsKey("ConnectionStrings:Chat");
        Database = sharedDatabase ?? (settings.TryGetValue("ConnectionStrings:Chat", out var given) && given is not null
            ? new ChatDatabase(settings.TryGetValue("Database:Provider", out var provider) && provider is not null ? provider : ChatDatabase.SqliteProvider, given)
            : ChatDatabase.CreateForRun(folder, "chat", connectionOptions));
        this.settings = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in Database.Settings)
        {
            this.settings[key] = value;
        }
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>The app's database: provider and connection string.</summary>
    public ChatDatabase Database { get; }

    /// <summary><c>Sqlite</c> or <c>Postgres</c>, as <c>Database:Provider</c> says.</summary>
    public string DatabaseProvider => Database.Provider;

    public bool IsPostgres => Database.IsPostgres;

    /// <summary>The SQLite file; only for tests traited <c>Database=SqliteOnly</c>, it throws on PostgreSQL.</summary>
    public string DatabasePath => Database.SqlitePath;

    /// <summary>Replaces services before the app starts, for faults no real client can cause.</summary>
    public Action<IServiceCollection>? ConfigureTestServices { get; init; }

    /// <summary>Starts the server if needed and returns its http://127.0.0.1:port/ address.</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
            return new Uri(addresses.Addresses.Single().TrimEnd('/') + "/");
        }
    }

    /// <summary>A browser-like client: its own cookie jar, no automatic redirects.</summary>
    public ChatClient CreateChatClient() => new(BaseAddress);

    public ChatDbContext CreateDbContext() =>
        Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ChatDbContext>>().CreateDbContext();

    /// <summary>Adds a room straight to the database (the admin area that creates rooms is a later feature).</summary>
    public async Task<Room> AddRoomAsync(string slug)
    {
        await using var db = CreateDbContext();
        var room = new Room { Slug = slug, Name = $"Room {slug}", CreatedAt = DateTime.UtcNow };
        db.Rooms.Add(room);
        await db.SaveChangesAsync();
        return room;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        if (ConfigureTestServices is { } configure)
        {
            builder.ConfigureServices(configure);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (IsPostgres)
        {
            if (ownsDatabase)
            {
                Database.DropIfPostgres();
            }
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; failing the test run over it is not.
        }
    }
}
