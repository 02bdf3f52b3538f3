using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace SseChat.Web.Security;

internal static class RequestLimitsExtensions
{
    /// <summary>Applies Kestrel:Limits to Kestrel and makes the form reader's own limits agree with them.</summary>
    public static WebApplicationBuilder AddRequestLimits(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RequestLimitsOptions>()
            .BindConfiguration(RequestLimitsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<RequestLimitsOptions>>((kestrel, options) =>
            {
                var limits = options.Value;
                kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodySize;
                kestrel.Limits.MaxRequestLineSize = limits.MaxRequestLineSize;
                kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
            });
        // The form reader has limits of its own (4 MB a value, 128 MB a multipart body): none may promise more than
        // the body limit, so that a multipart post is refused the same as a urlencoded one of the same size.
        services.AddOptions<FormOptions>()
            .Configure<IOptions<RequestLimitsOptions>>((form, options) =>
            {
                var bodySize = options.Value.MaxRequestBodySize;
                form.MultipartBodyLengthLimit = bodySize;
                form.BufferBodyLengthLimit = bodySize;
                form.ValueLengthLimit = (int)Math.Min(bodySize, int.MaxValue);
            });
        return builder;
    }
}
