namespace SseChat.Web.Backplane;

internal static class BackplaneServiceExtensions
{
    /// <summary>The backplane of <c>Backplane:Provider</c>: nothing beyond this process, or Redis shared by the fleet.</summary>
    public static WebApplicationBuilder AddBackplane(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<BackplaneOptions>()
            .BindConfiguration(BackplaneOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(BackplaneOptions.SectionName).Get<BackplaneOptions>() ?? new();
        if (options.Provider == BackplaneProvider.Redis)
        {
            builder.Services.AddRedisConnection(builder.Configuration);
            builder.Services.AddRedisPresenceSharing();
        }
        return builder;
    }
}
