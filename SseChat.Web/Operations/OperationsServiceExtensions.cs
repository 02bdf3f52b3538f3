using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SseChat.Web.Data;

namespace SseChat.Web.Operations;

internal static class OperationsServiceExtensions
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";

    private const string ReadinessTag = "ready";

    /// <summary>Health checks, and SseChat's meter.</summary>
    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddMetrics();
        services.AddSingleton<ChatMetrics>();

        // Readiness: the database answers and has every migration. Liveness runs no check at all.
        services.AddHealthChecks()
            .AddDbContextCheck<ChatDbContext>("database", tags: [ReadinessTag])
            .AddCheck<PendingMigrationsHealthCheck>("migrations", tags: [ReadinessTag]);
        return builder;
    }
    /// <summary>
    /// <c>/healthz</c> (the process answers) and <c>/readyz</c> (and so does its database): anonymous, never rate
    /// limited, and answering only the status word, whatever failed.
    /// </summary>
    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false })
            .AllowAnonymous()
            .DisableRateLimiting();
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadinessTag) })
            .AllowAnonymous()
            .DisableRateLimiting();
        return app;
    }
}
