namespace SseChat.Web.Data;

/// <summary>Which database holds the chat (docs/configuration.md, docs/scale-out.md).</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary><c>Sqlite</c> (a file beside the app, the default) or <c>Postgres</c> (shared by several nodes).</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
