using Microsoft.Extensions.Options;

namespace SseChat.Web.Chat;

/// <summary>
/// Counts open streams per client and in total, and refuses a new one beyond <c>Chat:MaxStreamsPerClient</c> or
/// <c>Chat:MaxStreams</c> before it answers with text/event-stream (EventSource gives up on a refusal instead of
/// retrying in a hot loop). The admission is held until the stream ends.
/// </summary>
/// <remarks>
/// Hand-written rather than ASP.NET Core's ConcurrencyLimiter: an endpoint gets one rate-limiter policy, which here
/// is the per-client rate of new streams, and the two caps answer differently (429 for one client, 503 for all).
/// One lock guards both counts: it is held for a dictionary update, far cheaper than the queries a stream opens
/// with, and it lets an idle client's entry be removed without a race against its next stream.
/// </remarks>
public sealed class StreamAdmission(IOptions<ChatOptions> options)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, int> perClient = new(StringComparer.Ordinal);
    private readonly int maxPerClient = options.Value.MaxStreamsPerClient;
    private readonly int maxTotal = options.Value.MaxStreams;
    private int total;

    /// <summary>Streams open right now, all clients together.</summary>
    public int Open
    {
        get
        {
            lock (gate)
            {
                return total;
            }
        }
    }

    /// <summary>Admits one more stream of <paramref name="client"/>, or says which cap is reached.</summary>
    public StreamAdmissionResult TryAdmit(string client, out IDisposable? admitted)
    {
        lock (gate)
        {
            admitted = null;
            if (total >= maxTotal)
            {
                return StreamAdmissionResult.ServerFull;
            }
            perClient.TryGetValue(client, out var open);
            if (open >= maxPerClient)
            {
                return StreamAdmissionResult.ClientFull;
            }
            perClient[client] = open + 1;
            total++;
        }
        admitted = new Admitted(this, client);
        return StreamAdmissionResult.Admitted;
    }

    private void Release(string client)
    {
        lock (gate)
        {
            total--;
            var open = perClient[client] - 1;
            if (open == 0)
            {
                perClient.Remove(client); // months of distinct addresses must not pile up here
            }
            else
            {
                perClient[client] = open;
            }
        }
    }

    private sealed class Admitted(StreamAdmission owner, string client) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                owner.Release(client);
            }
        }
    }
}

public enum StreamAdmissionResult
{
    Admitted,

    /// <summary>This client holds <c>Chat:MaxStreamsPerClient</c> streams already: 429.</summary>
    ClientFull,

    /// <summary>The server holds <c>Chat:MaxStreams</c> streams already: 503.</summary>
    ServerFull,
}
