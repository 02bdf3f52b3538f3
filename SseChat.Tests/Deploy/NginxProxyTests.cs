using System.Diagnostics;
using System.Net;
using System.Text;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Admin;
using SseChat.Web.Chat;
using Xunit.Abstractions;

namespace SseChat.Tests.Deploy;

/// <summary>
/// The deployed nginx site (deploy/nginx/ssechat.conf, see <see cref="DeployedNginxSite"/>) in front of the app, both
/// real processes on 127.0.0.1: streams pass through at once and stay open while idle, and the app sees the client's
/// own address and scheme. nginx cuts a stream after 5 s of silence here; the app sends a heartbeat every 3 s.
/// </summary>
public sealed class NginxProxyTests(ITestOutputHelper log) : IAsyncLifetime
{
    private const string Room = "general";
    private const string Password = "correct horse battery staple";

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(1);

    private ProxiedChat proxied = null!;

    public async Task InitializeAsync() => proxied = await ProxiedChat.StartAsync(Heartbeat, ReadTimeout);

    public Task DisposeAsync()
    {
        proxied.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_stream_starts_with_retry_at_once_over_HTTP2_uncompressed()
    {
        await WarmUpAsync();
        using var http = new HttpClient(proxied.CreateHttp2Handler()) { BaseAddress = proxied.ProxyAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"stream/{Room}");
        request.Headers.Accept.ParseAdd(RoomEventStreamer.ContentType);
        request.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br"); // as browsers send it, inviting compression

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var headersAfter = clock.Elapsed;
        var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var buffer = new byte[256];
        var read = await body.ReadAsync(buffer, timeout.Token);
        var firstBytesAfter = clock.Elapsed;
        log.WriteLine($"Through nginx: headers after {headersAfter.TotalMilliseconds:0} ms, first bytes after {firstBytesAfter.TotalMilliseconds:0} ms.");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(RoomEventStreamer.ContentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.StartsWith("retry: ", Encoding.UTF8.GetString(buffer, 0, read), StringComparison.Ordinal);
        // Nothing was posted and the first heartbeat is 3 s away: only the retry line can have arrived this soon.
        Assert.True(firstBytesAfter < AtOnce, $"The first bytes took {firstBytesAfter.TotalMilliseconds:0} ms through nginx.");
    }

    [Fact]
    public async Task A_message_posted_through_nginx_arrives_on_a_stream_through_nginx_within_a_second()
    {
        await WarmUpAsync();
        using var client = proxied.CreateProxiedClient();
        await using var subscriber = await SseSubscriber.ConnectAsync(
            proxied.ProxyAddress, Room, handler: proxied.CreateHttp2Handler());
        Assert.Equal(HttpVersion.Version20, subscriber.Response.Version);

        var clock = Stopwatch.StartNew();
        var sent = await client.SendAsync(Room, "ann", "through the proxy");
        var received = SseSubscriber.ParseMessage(await subscriber.NextAsync(TimeSpan.FromSeconds(5)));
        var arrivedAfter = clock.Elapsed;
        log.WriteLine($"Posted and received through nginx in {arrivedAfter.TotalMilliseconds:0} ms.");

        Assert.Equal(sent, received);
        Assert.True(arrivedAfter < AtOnce, $"The message took {arrivedAfter.TotalMilliseconds:0} ms from post to stream.");
    }

    [Fact]
    public async Task An_idle_stream_outlives_nginx_read_timeout_thanks_to_heartbeats()
    {
        await using var subscriber = await SseSubscriber.ConnectAsync(
            proxied.ProxyAddress, Room, handler: proxied.CreateHttp2Handler());

        // Silent for longer than nginx waits for the app: only the heartbeats cross the proxy meanwhile.
        var idle = ReadTimeout + Heartbeat;
        Assert.False(await subscriber.EndsWithinAsync(idle), $"nginx ended a stream idle for less than {idle.TotalSeconds:0} s.");

        using var client = proxied.CreateProxiedClient();
        var clock = Stopwatch.StartNew();
        var sent = await client.SendAsync(Room, "ann", "still there?");
        Assert.Equal(sent, SseSubscriber.ParseMessage(await subscriber.NextAsync(TimeSpan.FromSeconds(5))));
        log.WriteLine($"After {idle.TotalSeconds:0} s idle, a message arrived {clock.Elapsed.TotalMilliseconds:0} ms after its post.");
        Assert.DoesNotContain("upstream timed out", proxied.Nginx.ErrorLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_sees_the_client_address_and_HTTPS_forwarded_by_nginx_and_nothing_a_client_claims()
    {
        var (exitCode, output) = await ChatServerProcess.RunCommandAsync(
            proxied.App.Database, ["admin", "set-password", "root"], Password + "\n");
        Assert.True(exitCode == 0, output);

        // Through nginx from 127.0.0.2, claiming to be someone else and to have come over HTTPS anyway.
        using var viaProxy = proxied.CreateProxiedClient(LoopbackSource.OtherClient);
        viaProxy.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        using (var signedIn = await AdminSession.SubmitLoginAsync(viaProxy, "root", Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            // nginx terminated TLS and said so in X-Forwarded-Proto: the app marks its cookie Secure.
            Assert.Contains(AdminCookie(signedIn).Split(';'), part => part.Trim().Equals("secure", StringComparison.OrdinalIgnoreCase));
        }

        // Straight to the app from 127.0.0.1, where nginx would connect from, over plain HTTP.
        using var direct = proxied.App.CreateChatClient();
        using (var signedIn = await AdminSession.SubmitLoginAsync(direct, "root", Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            Assert.DoesNotContain(AdminCookie(signedIn).Split(';'), part => part.Trim().Equals("secure", StringComparison.OrdinalIgnoreCase));
        }

        var audit = await viaProxy.GetDocumentAsync("admin/audit");
        var signIns = audit.QuerySelectorAll("#audit tbody tr:has(td[data-action='SignedIn'])")
            .Select(tr => tr.QuerySelectorAll("td")[4].TextContent.Trim())
            .ToList();
        Assert.Equal(["From 127.0.0.1", "From 127.0.0.2"], signIns); // newest first
    }

    [Fact]
    public async Task Plain_HTTP_is_redirected_to_HTTPS()
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = proxied.RedirectAddress };

        using var response = await http.GetAsync($"rooms/{Room}?x=1");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(new Uri($"https://127.0.0.1/rooms/{Room}?x=1"), response.Headers.Location);
    }

    /// <summary>
    /// One post straight to the app, so that what the timed tests measure is the proxy, not the app's first-request
    /// start-up work (JIT, query compilation).
    /// </summary>
    private async Task WarmUpAsync()
    {
        using var client = proxied.App.CreateChatClient();
        await client.SendAsync(Room, "warm-up", "before the clock starts");
    }

    private static string AdminCookie(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith(AdminClaims.CookieName + "=", StringComparison.Ordinal));
}

/// <summary>
/// The control for <see cref="NginxProxyTests.An_idle_stream_outlives_nginx_read_timeout_thanks_to_heartbeats"/>: with
/// heartbeats 10 minutes apart, the same nginx cuts an idle stream after its read timeout, while a stream straight to
/// the app stays open. So the timeout is really in force, and the heartbeats are what keeps streams alive.
/// </summary>
public sealed class NginxIdleTimeoutControlTests(ITestOutputHelper log) : IAsyncLifetime
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private ProxiedChat proxied = null!;

    public async Task InitializeAsync() => proxied = await ProxiedChat.StartAsync(TimeSpan.FromMinutes(10), ReadTimeout);

    public Task DisposeAsync()
    {
        proxied.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Without_heartbeats_nginx_cuts_an_idle_stream_after_its_read_timeout()
    {
        await using var direct = await SseSubscriber.ConnectAsync(proxied.App.BaseAddress, "general");
        var clock = Stopwatch.StartNew();
        await using var viaProxy = await SseSubscriber.ConnectAsync(
            proxied.ProxyAddress, "general", handler: proxied.CreateHttp2Handler());

        Assert.True(await viaProxy.EndsWithinAsync(ReadTimeout + TimeSpan.FromSeconds(5)), "nginx kept a silent stream open.");
        var endedAfter = clock.Elapsed;
        log.WriteLine($"nginx ended the silent stream after {endedAfter.TotalMilliseconds:0} ms.");

        Assert.True(endedAfter >= ReadTimeout - TimeSpan.FromMilliseconds(500), $"The stream ended after only {endedAfter.TotalMilliseconds:0} ms.");
        Assert.Contains("upstream timed out", proxied.Nginx.ErrorLog, StringComparison.Ordinal);
        Assert.False(await direct.EndsWithinAsync(TimeSpan.Zero), "The app itself ended the stream.");
    }
}
