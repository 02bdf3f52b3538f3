using System.Net;
using System.Net.Sockets;

namespace SseChat.Tests.Infrastructure;

/// <summary>How a cut proxy turns away new connections.</summary>
public enum Refusal
{
    /// <summary>Accept, then reset at once: the network is down.</summary>
    Reset,

    /// <summary>Read the request and answer 502 Bad Gateway: a reverse proxy whose app is gone (a deploy).</summary>
    BadGateway,
}

/// <summary>
/// A TCP forwarder on 127.0.0.1 (random port) in front of the app, so a test can pull the network cable:
/// <see cref="Cut"/> resets every open connection and refuses new ones until <see cref="Restore"/>. Every loop ends
/// when its connection ends, within a timeout, or when the proxy is disposed.
/// </summary>
public sealed class CuttableTcpProxy : IAsyncDisposable
{
    private static readonly TimeSpan DisposeGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(2);
    private static readonly byte[] BadGatewayResponse =
        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();

    private readonly IPEndPoint upstream;
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly HashSet<Relay> relays = [];
    private readonly HashSet<Task> connectionTasks = [];
    private readonly Task acceptLoop;
    private Refusal? cut;
    private int accepted;
    private int refused;

    public CuttableTcpProxy(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        upstream = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        BaseAddress = new UriBuilder(target) { Port = port }.Uri;
        acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The target's address with the proxy's port: same scheme, host and path.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Connections forwarded so far.</summary>
    public int AcceptedConnections => Volatile.Read(ref accepted);

    /// <summary>Connections refused (reset on accept) while cut.</summary>
    public int RefusedConnections => Volatile.Read(ref refused);

    /// <summary>Resets every open connection and refuses new ones, as <paramref name="refusal"/> says, until
    /// <see cref="Restore"/>.</summary>
    public void Cut(Refusal refusal = Refusal.Reset)
    {
        Relay[] open;
        lock (gate)
        {
            cut = refusal;
            open = [.. relays];
        }
        foreach (var relay in open)
        {
            relay.Abort();
        }
    }

    /// <summary>Forwards new connections again.</summary>
    public void Restore()
    {
        lock (gate)
        {
            cut = null;
        }
    }

    private async Task AcceptLoopAsync()
    {
        // Ends when the proxy is disposed: the token cancels the pending accept.
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Relay? relay = null;
            Refusal? refusal;
            lock (gate)
            {
                refusal = cut;
                if (refusal is null)
                {
                    relay = new Relay(client, stopping.Token);
                    relays.Add(relay);
                }
            }
            Task task;
            if (relay is null)
            {
                Interlocked.Increment(ref refused);
                if (refusal == Refusal.Reset)
                {
                    Reset(client);
                    continue;
                }
                task = AnswerBadGatewayAsync(client);
            }
            else
            {
                Interlocked.Increment(ref accepted);
                task = RunRelayAsync(relay);
            }
            lock (gate)
            {
                connectionTasks.RemoveWhere(static finished => finished.IsCompleted);
                connectionTasks.Add(task);
            }
        }
    }

    private async Task RunRelayAsync(Relay relay)
    {
        try
        {
            await relay.RunAsync(upstream);
        }
        finally
        {
            lock (gate)
            {
                relays.Remove(relay);
            }
            relay.Dispose();
        }
    }

    private async Task AnswerBadGatewayAsync(Socket client)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        timeout.CancelAfter(RefusalTimeout);
        try
        {
            // Answer once the request has arrived, then wait for the client to hang up: closing with its bytes
            // unread would reset the connection, and the client might never see the 502.
            var buffer = new byte[4096];
            await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            await client.SendAsync(BadGatewayResponse, SocketFlags.None, timeout.Token);
            client.Shutdown(SocketShutdown.Send);
            while (await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Timed out, disposed or the client left: it is turned away all the same.
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Closes with RST rather than FIN: to the peer, exactly what a dropped network looks like.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(enable: true, seconds: 0);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Already gone: nothing left to reset.
        }
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        Task[] pending;
        Relay[] open;
        lock (gate)
        {
            cut = Refusal.Reset;
            open = [.. relays];
            pending = [.. connectionTasks];
        }
        foreach (var relay in open)
        {
            relay.Abort();
        }
        await Task.WhenAll([acceptLoop, .. pending]).WaitAsync(DisposeGrace);
        stopping.Dispose();
    }

    /// <summary>One client connection and its upstream twin, pumped both ways until either side ends.</summary>
    private sealed class Relay(Socket client, CancellationToken proxyStopping) : IDisposable
    {
        private readonly Socket server = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly CancellationTokenSource ended = CancellationTokenSource.CreateLinkedTokenSource(proxyStopping);
        private int aborted;

        public async Task RunAsync(IPEndPoint upstream)
        {
            try
            {
                await server.ConnectAsync(upstream, ended.Token);
                Task[] pumps = [PumpAsync(client, server), PumpAsync(server, client)];
                await Task.WhenAny(pumps);
                Abort(); // one side ended: end the other too (the pumps never throw)
                await Task.WhenAll(pumps);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Cut, disposed, or the app went away: the connection simply ends.
            }
            finally
            {
                Abort();
            }
        }

        private async Task PumpAsync(Socket from, Socket to)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                // Ends at end of stream, on a socket error, or when the relay is aborted.
                while (true)
                {
                    var read = await from.ReceiveAsync(buffer, SocketFlags.None, ended.Token);
                    if (read == 0)
                    {
                        return;
                    }
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, ended.Token);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The other direction, Abort or the peer ended it.
            }
        }

        /// <summary>Resets both sides; safe to call more than once and from any thread.</summary>
        public void Abort()
        {
            if (Interlocked.Exchange(ref aborted, 1) != 0)
            {
                return;
            }
            try
            {
                ended.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Disposed in a race with Cut: already ended.
            }
            Reset(client);
            Reset(server);
        }

        public void Dispose()
        {
            Abort();
            ended.Dispose();
        }
    }
}
