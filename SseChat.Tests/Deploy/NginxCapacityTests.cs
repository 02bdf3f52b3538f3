using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using SseChat.Tests.Infrastructure;
using SseChat.Tests.Web;
using SseChat.Web.Chat;

namespace SseChat.Tests.Deploy;

/// <summary>
/// The shipped nginx (deploy/nginx/ssechat.conf with deploy/nginx/nginx.conf's worker_connections and
/// worker_rlimit_nofile) in front of the app as shipped: several addresses at once each open as many streams as the
/// app admits per address, all get through, and the streams beyond that get a clear 429, never nginx's 500 for
/// running out of connections. With Debian's worker_connections this failed at about 380 streams in all.
/// </summary>
public sealed partial class NginxCapacityTests : IAsyncLifetime
{
    private const int Addresses = 3;
    private const int BeyondTheCap = 5;

    // Streams being opened at once, all addresses together. Every stream stays open, so nginx ends up holding them
    // all; the cap only keeps a 2-core test machine from turning the burst into connect timeouts to the app.
    private const int OpeningAtOnce = 24;

    private ProxiedChat proxied = null!;

    public async Task InitializeAsync() =>
        proxied = await ProxiedChat.StartAsync(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60));

    public Task DisposeAsync()
    {
        proxied.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Several_addresses_each_at_their_stream_cap_all_get_through_and_one_more_gets_429_not_500()
    {
        var cap = SitePerAddressLimit();
        var clients = Enumerable.Range(2, Addresses)
            .Select(i => (Address: $"127.0.0.{i}", Http: new HttpClient(proxied.CreateHandler(IPAddress.Parse($"127.0.0.{i}")))
            {
                BaseAddress = proxied.ProxyAddress,
                Timeout = Timeout.InfiniteTimeSpan,
            }))
            .ToList();
        var opened = new List<HttpResponseMessage>();
        using var opening = new SemaphoreSlim(OpeningAtOnce);
        try
        {
            // HTTP/1.1, as the issue's clients: every stream is a connection of its own to nginx, and one to the app.
            var attempts = clients.SelectMany(client => Enumerable.Range(0, cap + BeyondTheCap).Select(async _ =>
            {
                await opening.WaitAsync();
                HttpResponseMessage? response;
                try
                {
                    response = await OpenStreamAsync(client.Http);
                }
                finally
                {
                    opening.Release();
                }
                lock (opened)
                {
                    if (response is not null)
                    {
                        opened.Add(response);
                    }
                }
                return (client.Address, Status: response is null ? "no answer" : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    RetryAfter: response?.Headers.RetryAfter is not null);
            }));
            var results = await Task.WhenAll(attempts);

            foreach (var (address, _) in clients)
            {
                var mine = results.Where(r => r.Address == address).ToList();
                var statuses = mine.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count());
                Assert.True(
                    statuses.Count == 2 && statuses.GetValueOrDefault("200") == cap && statuses.GetValueOrDefault("429") == BeyondTheCap,
                    $"{address}: {string.Join(", ", statuses.Select(s => $"{s.Value} x {s.Key}"))}\n{proxied.Nginx.ErrorLog}");
                Assert.All(mine.Where(r => r.Status == "429"), r => Assert.True(r.RetryAfter, "429 without Retry-After"));
            }
            Assert.DoesNotContain("worker_connections are not enough", proxied.Nginx.ErrorLog, StringComparison.Ordinal);
        }
        finally
        {
            opened.ForEach(response => response.Dispose());
            clients.ForEach(client => client.Http.Dispose());
        }
    }

    [Fact]
    public void The_shipped_nginx_admits_as_many_streams_per_address_and_in_all_as_the_app_does()
    {
        var shipped = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(LibManTests.RepositoryRoot(), "SseChat.Web", "appsettings.json"))
            .Build();
        var perClient = shipped.GetValue("Chat:MaxStreamsPerClient", new ChatOptions().MaxStreamsPerClient);
        var total = shipped.GetValue("Chat:MaxStreams", new ChatOptions().MaxStreams);
        var capacity = DeployedNginxSite.ReadCapacity();

        Assert.Equal(perClient, SitePerAddressLimit());
        Assert.Equal(new ChatOptions().MaxStreamsPerClient, perClient);
        // Two connections per stream over HTTP/1.1, all of them possibly in one worker, and room for pages and posts.
        Assert.True(capacity.WorkerConnections >= 2 * total + 1024, $"worker_connections {capacity.WorkerConnections} for {total} streams");
        Assert.True(capacity.WorkerOpenFiles >= capacity.WorkerConnections + 1024, "worker_rlimit_nofile below worker_connections");
    }

    /// <summary>A stream's response (headers only: an open stream never ends), or null when nginx did not answer.</summary>
    private static async Task<HttpResponseMessage?> OpenStreamAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "stream/general");
        request.Headers.Accept.ParseAdd("text/event-stream");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    private static int SitePerAddressLimit()
    {
        var limits = LimitConn().Matches(DeployedNginxSite.Read());
        Assert.Single(limits);
        return int.Parse(limits[0].Groups["limit"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\s*limit_conn\s+ssechat_streams\s+(?<limit>\d+)\s*;", RegexOptions.Multiline)]
    private static partial Regex LimitConn();
}
