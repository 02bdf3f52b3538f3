using System.Globalization;
using System.Net.ServerSentEvents;
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

    /// <summary>
    /// Reads, once the server has let go of a stalled stream, the event ids that reached it before the drop; fails
    /// unless the server has also closed the connection within 30 s.
    /// </summary>
    public static async Task<List<long>> ReadIdsUntilDroppedAsync(HttpResponseMessage stalled)
    {
        var reachedIt = new List<long>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            var body = await stalled.Content.ReadAsStreamAsync(timeout.Token);
            await foreach (var item in SseParser.Create(body).EnumerateAsync(timeout.Token))
            {
                if (!string.IsNullOrEmpty(item.EventId))
                {
                    reachedIt.Add(long.Parse(item.EventId, CultureInfo.InvariantCulture));
                }
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            // The server aborted the connection: expected.
        }
        Assert.False(timeout.IsCancellationRequested, "the stalled connection should have been closed by the server");
        return reachedIt;
    }
}
