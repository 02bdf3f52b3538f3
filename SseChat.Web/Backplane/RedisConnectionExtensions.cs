using StackExchange.Redis;

namespace SseChat.Web.Backplane;

internal static class RedisConnectionExtensions
{
    /// <summary>
    /// Registers the node's one Redis connection when <c>Backplane:Provider</c> is <c>Redis</c>. A missing or malformed
    /// <c>ConnectionStrings:Redis</c> stops the start naming the setting; an unreachable server does not: the node
    /// serves its own listeners and keeps reconnecting in the background (docs/scale-out.md).
    /// </summary>
    public static void AddRedisConnection(this IServiceCollection services, IConfiguration configuration)
    {
        var name = BackplaneOptions.RedisConnectionStringName;
        var configured = configuration.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"Backplane:Provider is Redis but ConnectionStrings:{name} is not set (environment: ConnectionStrings__{name}), e.g. 127.0.0.1:6379.");
        }
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(configured);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{name} is not a Redis connection string (environment: ConnectionStrings__{name}): {exception.Message}", exception);
        }
        if (options.EndPoints.Count == 0)
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{name} names no Redis server (environment: ConnectionStrings__{name}), e.g. 127.0.0.1:6379.");
        }
        options.AbortOnConnectFail = false; // start without Redis and connect when it comes
        options.ClientName ??= $"ssechat-{Environment.MachineName}-{Environment.ProcessId}";
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
    }
}
