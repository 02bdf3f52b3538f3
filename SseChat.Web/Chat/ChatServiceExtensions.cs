using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Extensions;
using SseChat.Web.Localization;

namespace SseChat.Web.Chat;

internal static class ChatServiceExtensions
{
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
        services.AddSingleton<ReplayGate>();
        services.AddSingleton<StreamAdmission>();
        services.AddSingleton<RoomFeed>();
        services.AddSingleton<IRoomEventPublisher>(sp => sp.GetRequiredService<RoomFeed>());
        services.AddSingleton<ChatEventWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ChatEventWriter>());
        services.AddHostedService<HeartbeatService>();
        services.AddScoped<RoomQueries>();
        services.AddScoped<RoomEventStreamer>();

        services.AddControllersWithViews(mvc =>
        {
            mvc.Filters.Add(new AutoValidateAntiforgeryTokenAttribute());
            mvc.Filters.Add<AntiforgeryProblemFilter>();
            mvc.Filters.Add<UnreadableFormFilter>(UnreadableFormFilter.OrderBeforeAntiforgery);
            mvc.Filters.Add<NotUtf8FormFilter>();
        })
        // The HTTP API writes text as UTF-8 like the stream does, rather than a six-byte escape per Chinese character;
        // both the MVC and the minimal-API (ProblemDetails writer) serializers, so every JSON response agrees.
        .AddJsonOptions(json => json.JsonSerializerOptions.Encoder = ChatJsonEncoder.Instance)
        .AddChatLocalization();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Encoder = ChatJsonEncoder.Instance);
        services.Configure<RouteOptions>(routes => routes.ConstraintMap["slug"] = typeof(SlugRouteConstraint));
        services.AddProblemDetails();

        return builder;
    }
}
