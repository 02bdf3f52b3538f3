using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SseChat.Web.Data;

// `dotnet ef migrations add` builds each provider's model from these, without starting the app or reaching a server:
// the connection strings are never opened.
internal sealed class SqliteDesignTimeContext : IDesignTimeDbContextFactory<SqliteChatDbContext>
{
    public SqliteChatDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteChatDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresDesignTimeContext : IDesignTimeDbContextFactory<PostgresChatDbContext>
{
    public PostgresChatDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresChatDbContext>().UseNpgsql("Host=localhost;Database=ssechat").Options);
}
