using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SseChat.Web.Data;

namespace SseChat.Web.Operations;

/// <summary>
/// Ready only when the database has every migration this build knows: a file swapped for an older copy (or one
/// that lost its schema) would otherwise fail requests one by one instead of being taken out of rotation.
/// </summary>
internal sealed class PendingMigrationsHealthCheck(IDbContextFactory<ChatDbContext> dbContextFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        return pending.Count == 0
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, $"{pending.Count} migration(s) not applied.");
    }
}
