using Microsoft.Extensions.DependencyInjection.Extensions;
using SseChat.Web.Data;
using SseChat.Web.Operations;

namespace SseChat.Web.Backplane;

internal static class BackplaneServiceExtensions
{
    /// <summary>
    /// The backplane of <c>Backplane:Provider</c>: nothing beyond this process, or Redis notices plus the head poll
    /// (docs/architecture.md, "Several nodes").
    /// </summary>
    public static WebApplicationBuilder AddBackplane(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<BackplaneOptions>()
            .BindConfiguration(BackplaneOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(BackplaneOptions.SectionName).Get<BackplaneOptions>() ?? new();
        services.AddSingleton<BackplaneNode>();
        if (options.Provider == BackplaneProvider.Redis)
        {
            services.AddRedisConnection(builder.Configuration);
            services.AddSingleton<RedisNoticePublisher>();
            services.AddSingleton<IRoomNotices>(sp => sp.GetRequiredService<RedisNoticePublisher>());
            services.AddHostedService(sp => sp.GetRequiredService<RedisNoticePublisher>());
            services.AddSingleton<HeadPoller>();
            services.AddHostedService(sp => sp.GetRequiredService<HeadPoller>());
            services.AddHostedService<RedisNoticeSubscriber>();
            services.AddRedisPresenceSharing();
        }
        else
        {
            // One node hears its own commits from its writer; nothing to send, nothing to poll.
            services.TryAddSingleton<IRoomNotices, NoRoomNotices>();
        }
        services.AddHealthChecks().AddCheck<BackplaneHealthCheck>("backplane", tags: [OperationsServiceExtensions.ReadinessTag]);
        AddSingleNodeGuard(builder, options.Provider);
        return builder;
    }

    /// <summary>On PostgreSQL, the fleet can be seen: an InProcess node refuses to share it (<see cref="SingleNodeGuard"/>).</summary>
    private static void AddSingleNodeGuard(WebApplicationBuilder builder, BackplaneProvider provider)
    {
        var database = builder.Configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>()?.Provider;
        if (database != DatabaseProvider.Postgres)
        {
            return;
        }
        var connectionString = builder.Configuration.GetConnectionString(DatabaseExtensions.ConnectionStringName) ?? "";
        builder.Services.AddHostedService(sp => new SingleNodeGuard(
            connectionString, provider, sp.GetRequiredService<ILogger<SingleNodeGuard>>()));
    }
}
