using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace SseChat.Web.Data;

internal static class DatabaseExtensions
{
    public const string ConnectionStringName = "Chat";

    /// <summary>
    /// EF Core on the provider of <c>Database:Provider</c>: a SQLite file (a relative path is taken from the content
    /// root, not the working folder) or a PostgreSQL database. Either way the app asks for <see cref="ChatDbContext"/>
    /// (requests: a scoped one; the writer: one per batch from the factory).
    /// </summary>
    public static WebApplicationBuilder AddChatDatabase(this WebApplicationBuilder builder)
    {
        var provider = builder.Configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>()?.Provider
            ?? DatabaseProvider.Sqlite;
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName);
        var configured = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set (environment: ConnectionStrings__{ConnectionStringName}).");
        }

        if (provider == DatabaseProvider.Postgres)
        {
            var connectionString = PostgresConnectionString(configured);
            builder.Services.AddChatDbContext<PostgresChatDbContext>(options => options.UseNpgsql(connectionString));
        }
        else
        {
            var connectionString = SqliteConnectionString(configured, builder.Environment.ContentRootPath);
            builder.Services.AddChatDbContext<SqliteChatDbContext>(options => options
                .UseSqlite(connectionString)
                .AddInterceptors(new SqliteDurabilityInterceptor()));
        }

        // Every node reads and writes one key ring, in the chat database, so an antiforgery token or an admin cookie
        // issued by one node is accepted by all. The application name, not the content root (the default), decides
        // which keys apply: nodes installed in different folders are still one application.
        builder.Services.AddDataProtection()
            .SetApplicationName("SseChat")
            .PersistKeysToDbContext<ChatDbContext>();
        return builder;
    }

    private static void AddChatDbContext<TContext>(this IServiceCollection services, Action<DbContextOptionsBuilder> configure)
        where TContext : ChatDbContext
    {
        services.AddSingleton<DatabaseAvailability>();
        services.AddSingleton<DatabaseAvailability.Interceptor>();
        services.AddExceptionHandler<DatabaseOutageHandler>();
        services.AddDbContextFactory<TContext>((sp, options) =>
        {
            configure(options);
            options.AddInterceptors(sp.GetRequiredService<DatabaseAvailability.Interceptor>());
            // A failed command reaches its caller as an exception, which is logged there (or, for an outage, once by
            // DatabaseAvailability): EF's own error entries would say it again, once per request.
            options.ConfigureWarnings(warnings => warnings.Log(
                (RelationalEventId.CommandError, LogLevel.Debug),
                (RelationalEventId.ConnectionError, LogLevel.Debug),
                (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug)));
        });
        services.AddScoped<ChatDbContext>(sp => sp.GetRequiredService<TContext>());
        services.AddSingleton<IDbContextFactory<ChatDbContext>, ChatDbContextFactory<TContext>>();
    }

    private static string SqliteConnectionString(string configured, string contentRoot)
    {
        var connectionString = new SqliteConnectionStringBuilder(configured);
        if (string.IsNullOrWhiteSpace(connectionString.DataSource) || connectionString.DataSource == ":memory:")
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} must name a database file: messages are kept on disk.");
        }
        connectionString.DataSource = Path.GetFullPath(connectionString.DataSource, contentRoot);
        return connectionString.ToString();
    }

    private static string PostgresConnectionString(string configured)
    {
        NpgsqlConnectionStringBuilder connectionString;
        try
        {
            connectionString = new NpgsqlConnectionStringBuilder(configured);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not a PostgreSQL connection string (environment: ConnectionStrings__{ConnectionStringName}): {exception.Message}",
                exception);
        }
        if (string.IsNullOrWhiteSpace(connectionString.Host) || string.IsNullOrWhiteSpace(connectionString.Database))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} must name a PostgreSQL Host and Database (environment: ConnectionStrings__{ConnectionStringName}), e.g. Host=db;Database=ssechat;Username=ssechat;Password=...");
        }
        return connectionString.ToString();
    }

    /// <summary>Applies migrations; on SQLite it first creates the database folder and then turns on write-ahead logging.</summary>
    public static async Task MigrateChatDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        if (db is not SqliteChatDbContext)
        {
            // Nodes starting together migrate one at a time: EF Core holds a lock on the history table meanwhile.
            await db.Database.MigrateAsync();
            return;
        }
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);

        await db.Database.MigrateAsync();
        // WAL lets readers (page loads, replays) run beside the single writer. The mode is stored in the file, so
        // setting it once here covers every later connection; synchronous=FULL is per connection (see
        // SqliteDurabilityInterceptor).
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    /// <summary>Hands out the provider's own context as the <see cref="ChatDbContext"/> the app asks for.</summary>
    private sealed class ChatDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<ChatDbContext>
        where TContext : ChatDbContext
    {
        public ChatDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<ChatDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }
}
