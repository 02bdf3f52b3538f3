using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using SseChat.Web.Admin;
using SseChat.Web.Localization;
using SseChat.Web.Operations;

namespace SseChat.Web.Security;

/// <summary>The rate-limiter policies endpoints name with <c>[EnableRateLimiting]</c>.</summary>
public static class RateLimitPolicies
{
    /// <summary>Posting messages, per client (RateLimits:PostPermitLimit per RateLimits:PostWindow).</summary>
    public const string Posts = "posts";

    /// <summary>Opening event streams, per client (RateLimits:StreamPermitLimit per RateLimits:StreamWindow).</summary>
    public const string Streams = "streams";

    /// <summary>Typing notices, per client (RateLimits:TypingPermitLimit per RateLimits:TypingWindow).</summary>
    public const string Typing = "typing";
}

internal static class RateLimitingExtensions
{
    /// <summary>
    /// ASP.NET Core's rate limiter, with per-client fixed windows for posts and new streams (the admin area adds its
    /// sign-in policy the same way), and one answer for every rejection: 429, Retry-After and ProblemDetails.
    /// </summary>
    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(RateLimitPolicies.Posts, context => PerClientWindow(
                context, limits => (limits.PostPermitLimit, limits.PostWindow)));
            limiter.AddPolicy(RateLimitPolicies.Streams, context => PerClientWindow(
                context, limits => (limits.StreamPermitLimit, limits.StreamWindow)));
            limiter.AddPolicy(RateLimitPolicies.Typing, context => PerClientWindow(
                context, limits => (limits.TypingPermitLimit, limits.TypingWindow)));
            limiter.OnRejected = WriteTooManyRequestsAsync;
        });
        return builder;
    }

    /// <summary>A fixed window per client address: <c>permits</c> requests per window, none queued.</summary>
    internal static RateLimitPartition<string> PerClientWindow(
        HttpContext context, Func<RateLimitOptions, (int Permits, TimeSpan Window)> limit)
    {
        var (permits, window) = limit(context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value);
        return PerClientWindow(context, permits, window);
    }

    internal static RateLimitPartition<string> PerClientWindow(HttpContext context, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(
            ClientAddress.PartitionOf(context),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 });

    private static async ValueTask WriteTooManyRequestsAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        TimeSpan? retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : null;
        var text = http.RequestServices.GetRequiredService<IStringLocalizer<ProblemText>>();
        var wait = Refusals.Wait(text, retryAfter);
        var policy = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        var (title, detail) = policy switch
        {
            RateLimitPolicies.Posts => (text["PostsTooFastTitle"], text["PostsTooFastDetail", wait]),
            RateLimitPolicies.Streams => (text["StreamsTooFastTitle"], text["StreamsTooFastDetail", wait]),
            RateLimitPolicies.Typing => (text["TypingTooFastTitle"], text["TypingTooFastDetail", wait]),
            AdminClaims.LoginRateLimit => (text["LoginTooFastTitle"], text["TryAgainDetail", wait]),
            AdminClaims.PasswordChangeRateLimit => (text["PasswordChangeTooFastTitle"], text["TryAgainDetail", wait]),
            _ => (text["TooManyRequestsTitle"], text["TryAgainDetail", wait]),
        };
        if (policy == RateLimitPolicies.Posts)
        {
            http.RequestServices.GetRequiredService<ChatMetrics>().PostRejected(PostRejection.RateLimit);
        }
        await Refusals.WriteAsync(http, StatusCodes.Status429TooManyRequests, retryAfter, title, detail);
    }
}
