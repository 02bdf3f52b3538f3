using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace SseChat.Web.Backplane;

/// <summary>
/// Readiness of the backplane. Redis unreachable is Degraded, not Unhealthy: the node still stores every post and
/// serves its own listeners (other nodes' events reach them at each head poll), so a load balancer should keep it.
/// </summary>
internal sealed class BackplaneHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var redis = services.GetService<IConnectionMultiplexer>();
        var result = redis is null ? HealthCheckResult.Healthy("In process: a single node.")
            : redis.IsConnected ? HealthCheckResult.Healthy("Redis connected.")
            : HealthCheckResult.Degraded("Redis unreachable: other nodes' events arrive at each head poll.");
        return Task.FromResult(result);
    }
}
