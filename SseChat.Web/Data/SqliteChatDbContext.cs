using Microsoft.EntityFrameworkCore;

namespace SseChat.Web.Data;

/// <summary>The chat model on a SQLite file; its migrations are in <c>Data/Migrations/Sqlite</c>.</summary>
public sealed class SqliteChatDbContext(DbContextOptions<SqliteChatDbContext> options) : ChatDbContext(options)
{
    /// <summary>SQLite's built-in collation that ignores ASCII case, for names people type in either case.</summary>
    internal const string CaseInsensitiveCollation = "NOCASE";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.UseCaseInsensitiveNames(CaseInsensitiveCollation);
    }
}
