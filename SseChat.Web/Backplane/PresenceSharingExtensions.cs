namespace SseChat.Web.Backplane;

internal static class PresenceSharingExtensions
{
    /// <summary>Presence and typing shared through Redis: the outbox the tracker notes changes in, and the service that ships them.</summary>
    public static IServiceCollection AddRedisPresenceSharing(this IServiceCollection services)
    {
        services.AddOptions<PresenceSharingOptions>()
            .BindConfiguration(BackplaneOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<PresenceOutbox>();
        services.AddSingleton<RedisPresenceSharing>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisPresenceSharing>());
        return services;
    }
}
