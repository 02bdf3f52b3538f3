using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SseChat.Web.Data;

namespace SseChat.Web.Chat;

/// <summary>
/// The one place that turns posts into persisted, sequenced events and publishes them. A single loop takes posts
/// from a queue, assigns each the room's next seq and commits a whole batch in one transaction, then publishes
/// the batch in seq order and only then answers the posters. One writer means commit order is publish order, so no
/// client can ever see seq 42 before 41; batching keeps that single writer fast when posts arrive together.
/// </summary>
public sealed partial class ChatEventWriter(
    IDbContextFactory<ChatDbContext> dbContextFactory,
    IRoomEventPublisher publisher,
    TimeProvider clock,
    IOptions<ChatOptions> options,
    ILogger<ChatEventWriter> logger) : BackgroundService
{
    private readonly Channel<PendingPost> queue = Channel.CreateBounded<PendingPost>(
        new BoundedChannelOptions(options.Value.WriteQueueCapacity) { SingleReader = true });

    private readonly int batchSize = options.Value.WriteBatchSize;

    /// <summary>
    /// Stores the message and completes once it is committed and published. Null when the room no longer exists.
    /// Throws <see cref="MessageNotStoredException"/> when the database failed or the server is shutting down.
    /// </summary>
    public async Task<PostOutcome?> PostAsync(NewMessage message, CancellationToken cancellationToken)
    {
        var pending = new PendingPost(message);
        try
        {
            await queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException exception)
        {
            throw new MessageNotStoredException("The server is shutting down.", exception);
        }
        // Once queued the post is committed even if this caller goes away: the client may retry with the same
        // clientMessageId and will then get the stored message back.
        return await pending.Outcome.Task.WaitAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Refuse new posts but let the loop finish those already queued: each of them may still get its 201.
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingPost>(batchSize);
        // Deliberately not cancelled by stoppingToken: StopAsync completes the queue, and the loop drains it.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < batchSize && queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            await WriteBatchAsync(batch);
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(List<PendingPost> batch)
    {
        List<RoomEvent> inserted;
        try
        {
            inserted = await CommitAsync(batch);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            if (batch.Count > 1)
            {
                // One bad post must not fail the others that happened to share its transaction: retry one by one.
                foreach (var pending in batch)
                {
                    await WriteBatchAsync([pending]);
                }
                return;
            }
            // Whatever went wrong (disk full, a locked or corrupt file, a bug), nothing was committed: say so and
            // keep the loop alive, since the next post may well succeed.
            LogPostFailed(exception);
            batch[0].Outcome.TrySetException(new MessageNotStoredException("The message could not be stored.", exception));
            return;
        }

        // Committed: publish in seq order before any poster hears back, so a 201 never outruns its event.
        try
        {
            foreach (var roomEvent in inserted)
            {
                publisher.Publish(roomEvent.RoomId, await SseFrames.ForEventAsync(roomEvent));
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The events are stored, so the posts still succeed. Streams notice the missing seqs and read them
            // from the database (RoomEventStreamer), so no client misses them.
            LogPublishFailed(exception, inserted.Count);
        }
        foreach (var pending in batch)
        {
            pending.Complete();
        }
    }

    private async Task<List<RoomEvent>> CommitAsync(List<PendingPost> batch)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync();

        var roomIds = batch.Select(p => p.Message.RoomId).Distinct().ToList();
        var rooms = await db.Rooms.Where(r => roomIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id);

        var clientIds = batch.Select(p => p.Message.ClientMessageId).OfType<string>().Distinct().ToList();
        var alreadyStored = clientIds.Count == 0
            ? []
            : await db.RoomEvents.AsNoTracking()
                .Where(e => roomIds.Contains(e.RoomId) && e.ClientMessageId != null && clientIds.Contains(e.ClientMessageId))
                .ToDictionaryAsync(e => (e.RoomId, e.ClientMessageId!));

        var now = clock.GetUtcNow().UtcDateTime;
        var inserted = new List<RoomEvent>(batch.Count);
        foreach (var pending in batch)
        {
            var message = pending.Message;
            (pending.Stored, pending.Created) = (null, false); // this may be a retry of a failed batch
            if (!rooms.TryGetValue(message.RoomId, out var room))
            {
                continue; // the room was deleted after the request looked it up: outcome stays null
            }
            if (message.ClientMessageId is { } clientId && alreadyStored.TryGetValue((room.Id, clientId), out var stored))
            {
                pending.Stored = stored;
                continue;
            }

            var roomEvent = new RoomEvent
            {
                RoomId = room.Id,
                Seq = ++room.LastSeq,
                Kind = RoomEventKind.Message,
                CreatedAt = now,
                Author = message.Author,
                Text = message.Text,
                ClientMessageId = message.ClientMessageId,
            };
            db.RoomEvents.Add(roomEvent);
            inserted.Add(roomEvent);
            pending.Stored = roomEvent;
            pending.Created = true;
            if (message.ClientMessageId is { } newClientId)
            {
                alreadyStored[(room.Id, newClientId)] = roomEvent; // a retry within the same batch
            }
        }

        if (inserted.Count > 0)
        {
            // One SaveChanges is one transaction: the events and the rooms' new LastSeq commit together or not at all.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        return inserted;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing a post failed; it was neither stored nor published.")]
    private partial void LogPostFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing {Count} committed events failed; streams will read them from the database.")]
    private partial void LogPublishFailed(Exception exception, int count);

    private sealed class PendingPost(NewMessage message)
    {
        public NewMessage Message { get; } = message;

        public TaskCompletionSource<PostOutcome?> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RoomEvent? Stored { get; set; }

        public bool Created { get; set; }

        public void Complete() =>
            Outcome.TrySetResult(Stored is null ? null : new PostOutcome(Stored.ToChatMessage(), Created));
    }
}

/// <summary>The post was not stored: the database failed or the server is stopping. Safe to retry.</summary>
public sealed class MessageNotStoredException(string message, Exception innerException) : Exception(message, innerException);
