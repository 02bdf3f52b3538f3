using Microsoft.Extensions.Options;

namespace SseChat.Web.Chat;

/// <summary>
/// Bounds the replay queries that run at once (<c>Chat:MaxConcurrentReplays</c>). When a restart or a network blip
/// brings every browser back at the same moment, each one's catch-up waits here for a turn instead of opening yet
/// another SQLite connection and query beside hundreds of others.
/// </summary>
public sealed class ReplayGate(IOptions<ChatOptions> options) : IDisposable
{
    private readonly SemaphoreSlim turns = new(options.Value.MaxConcurrentReplays, options.Value.MaxConcurrentReplays);

    /// <summary>Waits for a turn; dispose the result to give it back.</summary>
    public async ValueTask<Turn> EnterAsync(CancellationToken cancellationToken)
    {
        await turns.WaitAsync(cancellationToken);
        return new Turn(turns);
    }

    public void Dispose() => turns.Dispose();

    public readonly struct Turn(SemaphoreSlim turns) : IDisposable
    {
        public void Dispose() => turns.Release();
    }
}
