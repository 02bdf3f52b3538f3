using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using SseChat.Web.Data;

namespace SseChat.Web.Operations;

internal static class OperationsServiceExtensions
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";

    public const string ReadinessTag = "ready";

    /// <summary>Meters exported besides SseChat's own: ASP.NET Core's and the runtime's, all built in.</summary>
    private static readonly string[] FrameworkMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "System.Runtime",
    ];

    /// <summary>Health checks, SseChat's meter, and OpenTelemetry export when an OTLP endpoint is configured.</summary>
    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddMetrics();
        services.AddSingleton<ChatMetrics>();

        // Readiness: the database answers and has every migration. Liveness runs no check at all.
        services.AddHealthChecks()
            .AddDbContextCheck<ChatDbContext>("database", tags: [ReadinessTag])
            .AddCheck<PendingMigrationsHealthCheck>("migrations", tags: [ReadinessTag]);

        services.AddOptions<TelemetryOptions>()
            .BindConfiguration(TelemetryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // An invalid endpoint registers nothing here: validation stops the app at start, naming the setting.
        var endpoint = TelemetryOptions.ParseEndpoint(
            builder.Configuration[$"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.OtlpEndpoint)}"]);
        if (endpoint is not null)
        {
            services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService(builder.Environment.ApplicationName))
                .WithMetrics(metrics => metrics
                    .AddMeter(ChatMetrics.MeterName)
                    .AddMeter(FrameworkMeters)
                    .AddOtlpExporter(otlp => otlp.Endpoint = endpoint));
        }
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
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains(ReadinessTag),
                // Spelled out because Degraded must keep the node in a load balancer (a node without Redis still serves).
                ResultStatusCodes =
                {
                    [HealthStatus.Healthy] = StatusCodes.Status200OK,
                    [HealthStatus.Degraded] = StatusCodes.Status200OK,
                    [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
                },
            })
            .AllowAnonymous()
            .DisableRateLimiting();
        return app;
    }
}
