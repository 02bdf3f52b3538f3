using System.Net.Sockets;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// An HTTP client whose sockets have a tiny receive buffer: a test that stops reading its response fills the TCP
/// buffers in a few kilobytes, as a stuck browser on a dead network would.
/// </summary>
public static class StalledClient
{
    public static HttpClient Create(Uri baseAddress) =>
        new(new SocketsHttpHandler { ConnectCallback = ConnectWithTinyReceiveBufferAsync })
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };

    private static async ValueTask<Stream> ConnectWithTinyReceiveBufferAsync(
        SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
