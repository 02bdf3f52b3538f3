using System.Net;
using System.Net.Sockets;

namespace SseChat.Bench.Load;

internal static class LoopbackHttp
{
    // Linux's IP_BIND_ADDRESS_NO_PORT (SOL_IP level): leave the port choice to connect(), which may reuse a port
    // for another destination, instead of bind() reserving one of ~28,000 ephemeral ports for good.
    private const int SolIp = 0;
    private const int IpBindAddressNoPort = 24;

    /// <summary>
    /// A handler whose connections leave from <paramref name="source"/> (any 127.x.y.z works on Linux's loopback),
    /// so each load process has its own ephemeral port range and 19,000 connections never run out of ports.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(IPAddress source) => new()
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.SetRawSocketOption(SolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
