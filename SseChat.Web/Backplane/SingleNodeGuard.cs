using Npgsql;

namespace SseChat.Web.Backplane;

/// <summary>
/// Makes several nodes on <c>Backplane:Provider=InProcess</c> impossible by mistake on a shared PostgreSQL database:
/// each would fan out only its own commits, and its listeners would see the others' events only when a later local one
/// revealed the hole. An InProcess node holds a session-level advisory lock exclusively for its whole life, a Redis node
/// holds it shared; so an InProcess node refuses to start beside any other node, and a Redis node beside an InProcess
/// one. The lock goes with the session, so a node that dies frees it.
/// </summary>
/// <remarks>
/// SQLite needs no such guard in practice only because several hosts cannot share its file; several processes on one
/// host could, and are not detected (docs/scale-out.md).
/// </remarks>
internal sealed partial class SingleNodeGuard(
    string connectionString,
    BackplaneProvider provider,
    ILogger<SingleNodeGuard> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>"SSECHAT" in ASCII: the one advisory lock key SseChat takes.</summary>
    public const long LockKey = 0x53_53_45_43_48_41_54;

    private NpgsqlConnection? held;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Unpooled: a pooled connection's session outlives Dispose, and the lock with it.
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "ssechat-node-guard" };
        var connection = new NpgsqlConnection(unpooled.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var function = provider == BackplaneProvider.InProcess ? "pg_try_advisory_lock" : "pg_try_advisory_lock_shared";
            await using var command = new NpgsqlCommand($"SELECT {function}(@key)", connection);
            command.Parameters.AddWithValue("key", LockKey);
            if (await command.ExecuteScalarAsync(cancellationToken) is not true)
            {
                throw new InvalidOperationException(provider == BackplaneProvider.InProcess
                    ? "Another SseChat node already uses this PostgreSQL database, and Backplane:Provider is InProcess, which serves a single node only: "
                      + "its listeners would miss the other node's events. Set Backplane:Provider=Redis and ConnectionStrings:Redis on every node "
                      + "(environment: Backplane__Provider, ConnectionStrings__Redis), or stop the other node."
                    : "An SseChat node with Backplane:Provider=InProcess already uses this PostgreSQL database: it serves a single node only. "
                      + "Set Backplane:Provider=Redis on that node too (environment: Backplane__Provider), or stop it.");
            }
            held = connection;
            LogHeld(provider);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref held, null) is { } connection)
        {
            await connection.DisposeAsync(); // closing the session releases the lock
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Holding the fleet's advisory lock for Backplane:Provider={Provider}.")]
    private partial void LogHeld(BackplaneProvider provider);
}
