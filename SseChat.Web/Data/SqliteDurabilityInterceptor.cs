using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SseChat.Web.Data;

/// <summary>
/// Sets <c>synchronous=FULL</c> on every connection: in WAL mode that makes each commit reach the disk before
/// SaveChanges returns, so a 201 means the message survives a crash or power loss. SQLite's default happens to
/// be FULL in today's bundled build, but it is per connection and a build option, so it is set rather than assumed.
/// </summary>
internal sealed class SqliteDurabilityInterceptor : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=FULL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(
        DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
