using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SseChat.Web.Data;
using SseChat.Web.Operations;

namespace SseChat.Web.Chat;

/// <summary>
/// The one place on this node that turns commands (posts, removals, room changes) into persisted, sequenced events
/// and publishes them. A single loop takes commands from a queue, assigns each new event the room's next seq under
/// the room's row lock and commits a whole batch in one transaction, then publishes the batch in seq order and only
/// then answers the callers. Commit order is seq order in each room, on one node or several, so no client can ever
/// see seq 42 before 41; batching keeps the writer fast when posts arrive together.
/// </summary>
public sealed partial class ChatEventWriter(
    IDbContextFactory<ChatDbContext> dbContextFactory,
    IRoomEventPublisher publisher,
    TimeProvider clock,
    IOptions<ChatOptions> options,
    ChatMetrics metrics,
    ILogger<ChatEventWriter> logger) : BackgroundService
{
    private readonly Channel<PendingCommand> queue = Channel.CreateBounded<PendingCommand>(
        new BoundedChannelOptions(options.Value.WriteQueueCapacity) { SingleReader = true });

    private readonly int batchSize = options.Value.WriteBatchSize;

    /// <summary>
    /// Applies the command and completes once it is committed and published.
    /// Throws <see cref="MessageNotStoredException"/> when the database failed or the server is shutting down.
    /// </summary>
    public async Task<RoomCommandResult> SubmitAsync(RoomCommand command, CancellationToken cancellationToken)
    {
        var pending = new PendingCommand(command);
        try
        {
            await queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException exception)
        {
            throw new MessageNotStoredException(NotStoredReason.ShuttingDown, exception);
        }
        // Once queued the command is committed even if this caller goes away: a poster may retry with the same
        // clientMessageId and will then get the stored message back.
        return await pending.Outcome.Task.WaitAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Refuse new commands but let the loop finish those already queued: each may still get its answer.
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingCommand>(batchSize);
        // Deliberately not cancelled by stoppingToken: StopAsync completes the queue, and the loop drains it.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < batchSize && queue.Reader.TryPeek(out var next))
            {
                // A room deletion commits on its own, so no other command shares a transaction with the room's
                // disappearance.
                if (next.Command is DeleteRoom && batch.Count > 0)
                {
                    break;
                }
                queue.Reader.TryRead(out _);
                batch.Add(next);
                if (next.Command is DeleteRoom)
                {
                    break;
                }
            }
            await WriteBatchAsync(batch);
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(List<PendingCommand> batch)
    {
        List<Publication> publications;
        try
        {
            publications = await CommitAsync(batch);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            if (batch.Count > 1 && !DatabaseAvailability.IsOutage(exception))
            {
                // One bad command must not fail the others that happened to share its transaction: retry one by one.
                foreach (var pending in batch)
                {
                    await WriteBatchAsync([pending]);
                }
                return;
            }
            // Whatever went wrong (disk full, a locked or corrupt file, an unreachable server, a bug), nothing was
            // committed: say so and keep the loop alive, since the next command may well succeed. An outage fails the
            // whole batch at once (one by one would only fail each again) and is logged once by DatabaseAvailability.
            if (!DatabaseAvailability.IsOutage(exception))
            {
                LogCommandFailed(exception, batch[0].Command.GetType().Name);
            }
            foreach (var pending in batch)
            {
                pending.Outcome.TrySetException(new MessageNotStoredException(NotStoredReason.StoreFailed, exception));
            }
            return;
        }

        // Committed: publish in seq order before any caller hears back, so a 201 never outruns its event.
        var committedAt = Stopwatch.GetTimestamp();
        foreach (var publication in publications)
        {
            if (publication.Event is { } persisted)
            {
                metrics.EventPersisted(persisted.Kind);
            }
        }
        try
        {
            foreach (var publication in publications)
            {
                var frame = publication.Event is { } roomEvent
                    ? await SseFrames.ForEventAsync(roomEvent)
                    : SseFrames.RoomGone;
                // Stamped once per event, not per subscriber: streams measure the fan-out latency from it.
                publisher.Publish(publication.RoomId, frame with { CommittedAt = committedAt });
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The events are stored, so the commands still succeed. Streams notice the missing seqs and read them
            // from the database (RoomEventStreamer), so no client misses them.
            LogPublishFailed(exception, publications.Count);
        }
        foreach (var pending in batch)
        {
            pending.Complete();
        }
    }

    private async Task<List<Publication>> CommitAsync(List<PendingCommand> batch)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync();
        await using var commit = await db.Database.BeginTransactionAsync(CancellationToken.None);
        await LockRoomsAsync(db, batch);

        // PostgreSQL keeps a timestamp to the microsecond, SQLite to the tick: the batch's time is cut to whole
        // microseconds, so that what the 201 and the broadcast say is exactly what a later read returns.
        var now = clock.GetUtcNow().UtcDateTime;
        var transaction = new BatchTransaction(db, now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond)));
        await transaction.LoadAsync(batch.Select(p => p.Command));

        foreach (var pending in batch)
        {
            pending.Result = null; // this may be a retry of a failed batch
            pending.Result = await transaction.ApplyAsync(pending.Command);
        }

        if (db.ChangeTracker.HasChanges())
        {
            // Events, the rooms' new LastSeq and the audit entries commit together or not at all.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        await commit.CommitAsync(CancellationToken.None);
        return transaction.Publications;
    }

    /// <summary>
    /// Takes the row lock of every room the batch touches before reading them. Every node has a writer like this one,
    /// so a room's next seq is read and bumped under its lock: a second node's batch for the room waits for this
    /// commit, reads the LastSeq it left, and commits after it. Commit order is then seq order in each room, and no
    /// two nodes ever take the same seq; no retry loop, no sequence object (those commit out of order and leave holes).
    /// On SQLite the first write of the transaction takes the file's one write lock, which is the same promise.
    /// Rooms are locked in id order, so two batches that share rooms cannot deadlock.
    /// </summary>
    private static async Task LockRoomsAsync(ChatDbContext db, List<PendingCommand> batch)
    {
        foreach (var roomId in batch.Select(p => p.Command.RoomId).Distinct().Order())
        {
            await db.Database.ExecuteSqlAsync(
                $"""UPDATE "Rooms" SET "LastSeq" = "LastSeq" WHERE "Id" = {roomId}""", CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing a {Command} failed; it was neither stored nor published.")]
    private partial void LogCommandFailed(Exception exception, string command);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing {Count} committed events failed; streams will read them from the database.")]
    private partial void LogPublishFailed(Exception exception, int count);

    /// <summary>What to hand to the fan-out after the commit: an event, or (Event null) the room's deletion.</summary>
    private sealed record Publication(int RoomId, RoomEvent? Event);

    private sealed class PendingCommand(RoomCommand command)
    {
        public RoomCommand Command { get; } = command;

        public TaskCompletionSource<RoomCommandResult> Outcome { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RoomCommandResult? Result { get; set; }

        public void Complete() => Outcome.TrySetResult(Result!);
    }

    /// <summary>Applies one batch's commands to one DbContext, assigning seqs as it goes.</summary>
    private sealed class BatchTransaction(ChatDbContext db, DateTime now)
    {
        private Dictionary<int, Room> rooms = [];
        private Dictionary<(int RoomId, string ClientMessageId), RoomEvent> storedByClientId = [];

        public List<Publication> Publications { get; } = [];

        /// <summary>Reads, in two queries, the rooms the batch touches and the posts it might repeat.</summary>
        public async Task LoadAsync(IEnumerable<RoomCommand> commands)
        {
            var list = commands.ToList();
            var roomIds = list.Select(c => c.RoomId).Distinct().ToList();
            rooms = await db.Rooms.Where(r => roomIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id);

            var clientIds = list.OfType<PostMessage>().Select(p => p.ClientMessageId).OfType<string>().Distinct().ToList();
            storedByClientId = clientIds.Count == 0
                ? []
                : await db.RoomEvents.AsNoTracking()
                    .Where(e => roomIds.Contains(e.RoomId) && e.ClientMessageId != null && clientIds.Contains(e.ClientMessageId))
                    .ToDictionaryAsync(e => (e.RoomId, e.ClientMessageId!));
        }

        public async Task<RoomCommandResult> ApplyAsync(RoomCommand command)
        {
            if (!rooms.TryGetValue(command.RoomId, out var room))
            {
                return new(RoomCommandStatus.RoomNotFound); // deleted after the request looked it up
            }
            return command switch
            {
                PostMessage post => Post(room, post),
                RemoveMessage remove => await RemoveAsync(room, remove),
                UpdateRoom update => Update(room, update),
                DeleteRoom delete => Delete(room, delete),
                _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown command."),
            };
        }

        private RoomCommandResult Post(Room room, PostMessage post)
        {
            if (post.ClientMessageId is { } clientId && storedByClientId.TryGetValue((room.Id, clientId), out var stored))
            {
                return new(RoomCommandStatus.AlreadyApplied, stored.ToChatMessage());
            }
            if (room.IsArchived)
            {
                return new(RoomCommandStatus.RoomArchived);
            }
            var message = Append(room, RoomEventKind.Message);
            message.Author = post.Author;
            message.AuthorIsAdmin = post.AuthorIsAdmin;
            message.Text = post.Text;
            message.ClientMessageId = post.ClientMessageId;
            if (post.ClientMessageId is { } newClientId)
            {
                storedByClientId[(room.Id, newClientId)] = message; // a retry within the same batch
            }
            return new(RoomCommandStatus.Applied, message.ToChatMessage());
        }

        private async Task<RoomCommandResult> RemoveAsync(Room room, RemoveMessage remove)
        {
            var message = await db.RoomEvents.SingleOrDefaultAsync(
                e => e.RoomId == room.Id && e.Seq == remove.MessageSeq && e.Kind == RoomEventKind.Message);
            if (message is null)
            {
                return new(RoomCommandStatus.MessageNotFound);
            }
            if (message.RemovedAt is not null)
            {
                return new(RoomCommandStatus.AlreadyApplied);
            }
            message.Text = null;
            message.RemovedAt = now;
            message.RemovedBy = remove.RemovedBy;
            Append(room, RoomEventKind.Delete).MessageSeq = message.Seq;
            Audit(remove.RemovedBy, AuditAction.MessageRemoved, $"{room.Slug}#{message.Seq}", message.Author ?? "");
            return new(RoomCommandStatus.Applied);
        }

        private RoomCommandResult Update(Room room, UpdateRoom update)
        {
            var (name, topic, archived) = (update.Name ?? room.Name, update.Topic ?? room.Topic, update.Archived ?? room.IsArchived);
            if (room.Name == name && room.Topic == topic && room.IsArchived == archived)
            {
                return new(RoomCommandStatus.AlreadyApplied);
            }
            var action = archived == room.IsArchived ? AuditAction.RoomEdited
                : archived ? AuditAction.RoomArchived : AuditAction.RoomUnarchived;
            (room.Name, room.Topic, room.IsArchived) = (name, topic, archived);
            var change = Append(room, RoomEventKind.Room);
            (change.RoomName, change.RoomTopic, change.RoomArchived) = (room.Name, room.Topic, room.IsArchived);
            Audit(update.ChangedBy, action, room.Slug, action == AuditAction.RoomEdited ? room.Name : "");
            return new(RoomCommandStatus.Applied);
        }

        private RoomCommandResult Delete(Room room, DeleteRoom delete)
        {
            db.Rooms.Remove(room); // its events go with it (ON DELETE CASCADE)
            rooms.Remove(room.Id);
            Publications.Add(new Publication(room.Id, Event: null));
            Audit(delete.DeletedBy, AuditAction.RoomDeleted, room.Slug, room.LastSeq.ToString(CultureInfo.InvariantCulture));
            return new(RoomCommandStatus.Applied);
        }

        private RoomEvent Append(Room room, RoomEventKind kind)
        {
            var roomEvent = new RoomEvent { RoomId = room.Id, Seq = ++room.LastSeq, Kind = kind, CreatedAt = now };
            db.RoomEvents.Add(roomEvent);
            Publications.Add(new Publication(room.Id, roomEvent));
            return roomEvent;
        }

        // The detail is the datum alone (an author, a name, a count), worded by the audit page in the reader's language.
        private void Audit(string actor, AuditAction action, string target, string detail) =>
            db.AuditEntries.Add(new AuditEntry { At = now, Actor = actor, Action = action, Target = target, Detail = detail });
    }
}
