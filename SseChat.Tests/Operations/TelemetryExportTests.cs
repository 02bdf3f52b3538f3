using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Operations;

/// <summary>OpenTelemetry export is off unless OpenTelemetry:OtlpEndpoint is set, and then it really exports.</summary>
public sealed class TelemetryExportTests
{
    private const string Setting = "OpenTelemetry:OtlpEndpoint";

    [Fact]
    public async Task Without_an_endpoint_nothing_is_exported_and_no_MeterProvider_is_registered()
    {
        await using var app = new ChatApplication();

        using var client = app.CreateChatClient();
        using var response = await client.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task With_an_endpoint_the_app_starts_and_exports_the_SseChat_meter_over_OTLP()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var app = new ChatApplication(new Dictionary<string, string?>
        {
            [Setting] = collector.Endpoint.ToString(),
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200", // milliseconds; OpenTelemetry reads it from configuration
        });

        using var client = app.CreateChatClient();
        await client.SendAsync("general", "ann", "counted and exported");

        Assert.NotNull(app.Services.GetService<MeterProvider>());
        var export = await collector.WaitForExportContainingAsync("ssechat.events.persisted");
        Assert.Contains("ssechat.posts.rejected", export, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", await collector.WaitForExportContainingAsync("http.server.request.duration"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("ftp://127.0.0.1:4317")]
    [InlineData("/v1/metrics")]
    [InlineData("127.0.0.1:4317")]
    public async Task An_invalid_endpoint_stops_the_app_at_start_naming_the_setting(string value)
    {
        await using var app = new ChatApplication(new Dictionary<string, string?> { [Setting] = value });

        var failure = Assert.Throws<OptionsValidationException>(() => app.BaseAddress);

        Assert.Contains(Setting, failure.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A stand-in OTLP collector: OTLP/gRPC's metrics Export over cleartext HTTP/2 on 127.0.0.1, keeping each request
    /// body. Protobuf stores strings as plain UTF-8, so instrument names can be searched in the raw bytes.
    /// </summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private const string ExportPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

        private readonly WebApplication server;
        private readonly ConcurrentQueue<string> exports = new();

        private OtlpCollector(WebApplication server) => this.server = server;

        public Uri Endpoint { get; private set; } = null!;

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
                kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
            var server = builder.Build();
            var collector = new OtlpCollector(server);
            server.MapPost(ExportPath, collector.ExportAsync);
            await server.StartAsync();
            var address = server.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
                .Addresses.Single();
            collector.Endpoint = new Uri(address);
            return collector;
        }

        /// <summary>The first export whose body mentions <paramref name="text"/>; fails after 30 s.</summary>
        public async Task<string> WaitForExportContainingAsync(string text)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                if (exports.FirstOrDefault(e => e.Contains(text, StringComparison.Ordinal)) is { } export)
                {
                    return export;
                }
                await Task.Delay(50);
            }
            throw new TimeoutException($"No OTLP export mentioned {text} within 30 s; {exports.Count} export(s) arrived.");
        }

        private async Task ExportAsync(HttpContext context)
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            exports.Enqueue(Encoding.UTF8.GetString(body.ToArray()));

            // An empty ExportMetricsServiceResponse in one uncompressed gRPC frame, then grpc-status OK.
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[5]);
            context.Response.AppendTrailer("grpc-status", "0");
        }

        public async ValueTask DisposeAsync()
        {
            await server.StopAsync();
            await server.DisposeAsync();
        }
    }
}
