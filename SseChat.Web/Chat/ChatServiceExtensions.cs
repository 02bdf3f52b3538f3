using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SseChat.Web.Admin;
using SseChat.Web.Extensions;

namespace SseChat.Web.Chat;

internal static class ChatServiceExtensions
{
    public const string TypingRateLimit = "typing";

    /// <summary>Posting, sequencing, fan-out and streaming, plus the MVC front end that serves them.</summary>
    public static WebApplicationBuilder AddChat(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ChatOptions>()
            .BindConfiguration(ChatOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RoomBroadcaster>();
        services.AddSingleton<PresenceTracker>();
        services.AddSingleton<IRoomEventPublisher>(sp => sp.GetRequiredService<RoomBroadcaster>());
        services.AddSingleton<ChatEventWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ChatEventWriter>());
        services.AddHostedService<HeartbeatService>();
        services.AddScoped<RoomQueries>();
        services.AddScoped<RoomEventStreamer>();

        services.AddControllersWithViews(mvc =>
        {
            mvc.Filters.Add(new AutoValidateAntiforgeryTokenAttribute());
            mvc.Filters.Add<AntiforgeryProblemFilter>();
        });
        services.Configure<RouteOptions>(routes => routes.ConstraintMap["slug"] = typeof(SlugRouteConstraint));
        services.AddProblemDetails();

        // Typing notices are cheap but fan out to a whole room, so each client address gets a fixed allowance.
        services.AddRateLimiter(limiter => limiter.AddPolicy(TypingRateLimit, context =>
        {
            var chat = context.RequestServices.GetRequiredService<IOptions<ChatOptions>>().Value;
            return RateLimitPartition.GetFixedWindowLimiter(
                AdminServiceExtensions.ClientPartition(context.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = chat.TypingPermitLimit,
                    Window = chat.TypingWindow,
                    QueueLimit = 0,
                });
        }));
        return builder;
    }
}
