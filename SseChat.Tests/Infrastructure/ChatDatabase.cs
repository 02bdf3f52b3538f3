using Microsoft.Data.Sqlite;
using Npgsql;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// The database an app under test runs on, as an operator configures it: <c>Database:Provider</c> and
/// <c>ConnectionStrings:Chat</c>. The suite runs twice (see test.sh): on SQLite, and with
/// <c>SSECHAT_TEST_DATABASE=Postgres</c> on PostgreSQL; <see cref="CreateForRun"/> gives a fresh database of the run's
/// provider.
/// </summary>
public sealed record ChatDatabase(string Provider, string ConnectionString)
{
    public const string SqliteProvider = "Sqlite";
    public const string PostgresProvider = "Postgres";

    /// <summary>The environment variable that picks the run's provider: Sqlite (or unset) or Postgres.</summary>
    public const string RunVariable = "SSECHAT_TEST_DATABASE";

    /// <summary>The provider of this test run.</summary>
    public static string RunProvider { get; } = Environment.GetEnvironmentVariable(RunVariable) switch
    {
        null or "" => SqliteProvider,
        var value when value.Equals(SqliteProvider, StringComparison.OrdinalIgnoreCase) => SqliteProvider,
        var value when value.Equals(PostgresProvider, StringComparison.OrdinalIgnoreCase) => PostgresProvider,
        var value => throw new InvalidOperationException($"{RunVariable}={value}: expected {SqliteProvider} or {PostgresProvider}."),
    };

    public static bool IsPostgresRun => RunProvider == PostgresProvider;

    public bool IsPostgres => Provider == PostgresProvider;

    /// <summary>The SQLite file; a test that needs it is about SQLite and is traited <c>Database=SqliteOnly</c>.</summary>
    public string SqlitePath => IsPostgres
        ? throw new InvalidOperationException(
            "This test reads the SQLite file, but runs on PostgreSQL: go through the app's DbContext, or trait the test [Trait(\"Database\", \"SqliteOnly\")].")
        : new SqliteConnectionStringBuilder(ConnectionString).DataSource;

    /// <summary>The two settings, as configuration keys.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Database:Provider"] = Provider,
        ["ConnectionStrings:Chat"] = ConnectionString,
    };

    /// <param name="options">Extra SQLite connection-string keywords, e.g. "Default Timeout=1".</param>
    public static ChatDatabase Sqlite(string path, string options = "") =>
        new(SqliteProvider, options.Length == 0 ? $"Data Source={Path.GetFullPath(path)}" : $"Data Source={Path.GetFullPath(path)};{options}");

    public static ChatDatabase Postgres(string connectionString) => new(PostgresProvider, connectionString);

    /// <summary>
    /// A fresh, empty database of this run's provider: <c>chat.db</c> in <paramref name="folder"/>, or a new database
    /// on the test process's PostgreSQL server (<see cref="PostgresServer.Shared"/>).
    /// </summary>
    /// <param name="sqliteOptions">Extra SQLite connection-string keywords; PostgreSQL has its own defaults.</param>
    public static ChatDatabase CreateForRun(DirectoryInfo folder, string? prefix = null, string sqliteOptions = "") =>
        IsPostgresRun
            ? Postgres(PostgresServer.Shared.CreateDatabase(prefix))
            : Sqlite(Path.Combine(folder.FullName, "chat.db"), sqliteOptions);

    /// <summary>Drops a PostgreSQL database of the shared server, closing what is still connected; no-op on SQLite.</summary>
    public void DropIfPostgres()
    {
        if (!IsPostgres)
        {
            return;
        }
        try
        {
            PostgresServer.Shared.DropDatabase(ConnectionString);
        }
        catch (NpgsqlException)
        {
            // A database left behind is harmless (the server's folder goes at exit); failing the test over it is not.
        }
    }
}
