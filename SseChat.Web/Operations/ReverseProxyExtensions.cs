using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace SseChat.Web.Operations;

internal static class ReverseProxyExtensions
{
    /// <summary>
    /// Believes X-Forwarded-For and X-Forwarded-Proto from the proxies in ReverseProxy:KnownProxies (an nginx on the
    /// same host by default), so that sign-in rate limits and the audit log see the real client address and the admin
    /// cookie is Secure when the proxy terminated TLS. Requests from anyone else keep their own address and scheme.
    /// </summary>
    public static WebApplicationBuilder AddReverseProxySupport(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReverseProxyOptions>()
            .BindConfiguration(ReverseProxyOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<ReverseProxyOptions>>((forwarded, proxy) =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                forwarded.ForwardLimit = proxy.Value.ForwardLimit;
                // The framework's defaults trust loopback; only the configured list counts here.
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var address in proxy.Value.ParsedKnownProxies())
                {
                    forwarded.KnownProxies.Add(address);
                }
            });
        return builder;
    }

    /// <summary>First in the pipeline, so everything after it (rate limits, cookies, logs) sees the client as forwarded.</summary>
    public static WebApplication UseReverseProxySupport(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }
}
