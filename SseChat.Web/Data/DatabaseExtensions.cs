using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace SseChat.Web.Data;

internal static class DatabaseExtensions
{
    public const string ConnectionStringName = "Chat";

    /// <summary>EF Core on a SQLite file; a relative path is taken from the content root, not the working folder.</summary>
    public static WebApplicationBuilder AddChatDatabase(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString(ConnectionStringName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set (environment: ConnectionStrings__{ConnectionStringName}).");
        var connectionString = new SqliteConnectionStringBuilder(configured);
        if (string.IsNullOrWhiteSpace(connectionString.DataSource) || connectionString.DataSource == ":memory:")
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} must name a database file: messages are kept on disk.");
        }
        connectionString.DataSource = Path.GetFullPath(connectionString.DataSource, builder.Environment.ContentRootPath);

        // The writer takes a context per batch from the factory; requests get a scoped one.
        builder.Services.AddDbContextFactory<ChatDbContext>(
            options => options
                .UseSqlite(connectionString.ToString())
                .AddInterceptors(new SqliteDurabilityInterceptor()));
        return builder;
    }

    /// <summary>Creates the database folder, applies migrations and switches the file to write-ahead logging.</summary>
    public static async Task MigrateChatDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);

        await db.Database.MigrateAsync();
        // WAL lets readers (page loads, replays) run beside the single writer. The mode is stored in the file, so
        // setting it once here covers every later connection; synchronous=FULL is per connection (see
        // SqliteDurabilityInterceptor).
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }
}
