using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// An HTTP/1.1 request written byte for byte on a fresh TCP connection: HttpClient would tidy a path with <c>..</c>,
/// escape raw non-ASCII or refuse an oversized request line before the server ever saw them.
/// </summary>
public static class RawHttpRequest
{
    /// <summary>Sends <c>{method} {target} HTTP/1.1</c> with the given headers and returns the response's status code.</summary>
    public static async Task<int> SendAsync(Uri baseAddress, string method, byte[] target, params string[] headers)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port, timeout.Token);
        await using var stream = tcp.GetStream();

        var head = new MemoryStream();
        head.Write(Encoding.ASCII.GetBytes(method + " "));
        head.Write(target);
        var lines = new StringBuilder(" HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {baseAddress.Authority}\r\n")
            .Append("Accept: application/json\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            lines.Append(header).Append("\r\n");
        }
        head.Write(Encoding.ASCII.GetBytes(lines.Append("\r\n").ToString()));
        await stream.WriteAsync(head.ToArray(), timeout.Token);

        // "HTTP/1.1 404 Not Found": the status is the second word of the first line.
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync(timeout.Token)
            ?? throw new IOException("The server closed the connection without answering.");
        return int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    public static Task<int> SendAsync(Uri baseAddress, string method, string target, params string[] headers) =>
        SendAsync(baseAddress, method, Encoding.UTF8.GetBytes(target), headers);
}
