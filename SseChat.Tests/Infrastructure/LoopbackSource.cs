using System.Net;
using System.Net.Sockets;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// Connections that come from a loopback address other than 127.0.0.1 (Linux routes all of 127.0.0.0/8 to the
/// loopback interface), so a server can tell this client apart from one on 127.0.0.1, a proxy for instance.
/// </summary>
public static class LoopbackSource
{
    /// <summary>Another client machine, as far as the server can tell.</summary>
    public static readonly IPAddress OtherClient = IPAddress.Parse("127.0.0.2");

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that binds each connection to <paramref name="source"/> first.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectFrom(IPAddress source) =>
        async (context, cancellationToken) =>
        {
            var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
