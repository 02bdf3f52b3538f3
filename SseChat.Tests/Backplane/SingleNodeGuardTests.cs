using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Backplane;

/// <summary>
/// Several nodes on Backplane:Provider=InProcess cannot share a PostgreSQL database by mistake: the second refuses to
/// start and says what to set, and a Redis node refuses to join an InProcess one; a stopped node frees its place.
/// </summary>
public sealed class SingleNodeGuardTests
{
    [Fact]
    public async Task A_second_in_process_node_on_the_same_PostgreSQL_database_refuses_to_start()
    {
        var database = PostgresServer.Shared.CreateDatabase(nameof(SingleNodeGuardTests));
        try
        {
            await using (var first = new ChatApplication(Node(database, "InProcess")))
            {
                _ = first.BaseAddress;

                await using (var second = new ChatApplication(Node(database, "InProcess")))
                {
                    var refused = Assert.ThrowsAny<Exception>(() => second.BaseAddress);
                    Assert.Contains("Backplane:Provider=Redis", Innermost(refused).Message, StringComparison.Ordinal);
                }
                await using (var redisNode = new ChatApplication(Node(database, "Redis")))
                {
                    var refused = Assert.ThrowsAny<Exception>(() => redisNode.BaseAddress);
                    Assert.Contains("Backplane:Provider=InProcess", Innermost(refused).Message, StringComparison.Ordinal);
                }
            }

            // The first node stopped: its session, and the lock with it, is gone.
            await using var next = new ChatApplication(Node(database, "InProcess"));
            _ = next.BaseAddress;
        }
        finally
        {
            PostgresServer.Shared.DropDatabase(database);
        }
    }

    private static Exception Innermost(Exception exception) =>
        exception.InnerException is { } inner ? Innermost(inner) : exception;

    private static Dictionary<string, string?> Node(string database, string backplane) => new()
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:Chat"] = database,
        ["Backplane:Provider"] = backplane,
        // Only reached by the Redis node, which refuses before it needs Redis.
        ["ConnectionStrings:Redis"] = RedisServer.Shared.ConnectionString,
    };
}
