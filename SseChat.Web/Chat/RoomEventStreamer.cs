using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using SseChat.Web.Data;
using SseChat.Web.Operations;

namespace SseChat.Web.Chat;

/// <summary>
/// Serves one room stream: subscribe, replay what the client missed from the database, then go live, skipping
/// live frames the replay already sent.
/// </summary>
/// <remarks>
/// Written against the response's PipeWriter rather than <c>TypedResults.ServerSentEvents</c>: that result formats
/// every item per connection, writes nothing before the first item and knows no heartbeat or resume, while here
/// each live frame is encoded once (<see cref="SseFrames"/>) and its bytes shared by every subscriber.
/// </remarks>
public sealed partial class RoomEventStreamer(
    RoomBroadcaster broadcaster,
    RoomFeed feed,
    RoomQueries queries,
    PresenceTracker presence,
    ReplayGate replayGate,
    IHostApplicationLifetime lifetime,
    IOptions<ChatOptions> options,
    TimeProvider time,
    ChatMetrics metrics,
    ILogger<RoomEventStreamer> logger)
{
    public const string ContentType = "text/event-stream";

    /// <param name="room">The room as the request found it: its LastSeq is the "now" a fresh stream starts from.</param>
    /// <param name="visitor">Who is listening, when the client said so: counted as online while the stream is open.</param>
    /// <param name="fromAnotherHistory">
    /// The client's page was rendered from another history of the room (a restored database, a slug reused): its
    /// resume point numbers other events, so it starts afresh with <c>reset</c>.
    /// </param>
    public async Task StreamAsync(
        HttpContext httpContext, RoomSummary room, long? resumeAfter, StreamVisitor? visitor = null, bool fromAnotherHistory = false)
    {
        var roomId = room.Id;
        var response = httpContext.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx would otherwise buffer the stream
        httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();

        // Joined before subscribing, so that this stream's own arrival reaches it only once: in the snapshot below.
        using var online = visitor is null ? null : presence.Join(roomId, visitor.ClientId, visitor.Name, visitor.Admin);

        // Subscribe before reading the database: whatever commits from now on is either in the replay or in the
        // queue (or both, which the seq check below handles), never in neither. The feed is told the LastSeq read
        // before this point, which it may take as dispatched when nobody else here listens (RoomFeed.Subscribe).
        using var subscription = feed.Subscribe(roomId, room.LastSeq);
        using var open = metrics.StreamOpened(room.Slug);

        // Server shutdown ends the stream cleanly, so browsers reconnect to the next instance at once; a drop for
        // being too slow cancels a flush that a stuck client would otherwise hold forever.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(
            httpContext.RequestAborted, lifetime.ApplicationStopping, subscription.Dropped);
        var cancellationToken = stopping.Token;

        var output = new SseOutput(response.BodyWriter, subscription, options.Value, time);
        var openedAt = Stopwatch.GetTimestamp();
        var replayed = 0;
        long delivered = 0;
        var end = StreamEnd.Undecided;
        try
        {
            output.Write(SseFrames.Retry(options.Value.RetryInterval));
            await output.FlushAsync(cancellationToken);

            // The room was looked up before subscribing. Had it been deleted in between, its gone frame went out
            // before this stream joined and the stream would idle forever: so look once more, now that it listens.
            // A deletion committed after this check is published after it, so it reaches the subscription.
            if (!await queries.ExistsAsync(roomId, cancellationToken))
            {
                output.Write(SseFrames.RoomGone);
                await output.FlushAsync(cancellationToken);
                end = StreamEnd.RoomGone;
                return;
            }

            // room.LastSeq was read before subscribing, which is enough: a seq the client has seen was committed
            // before this request, and whatever committed since is found by the replay below.
            var lastSent = resumeAfter ?? room.LastSeq;
            var reset = fromAnotherHistory || lastSent > room.LastSeq;
            if (reset)
            {
                // The client remembers events this room never had (the database was reset or restored, or the slug
                // is another room's now): tell it so, without an id, and carry on from the real end.
                output.Write(await SseFrames.ResetAsync(room.LastSeq));
                lastSent = room.LastSeq;
            }

            var replay = await ReplayAsync(output, roomId, lastSent, room.LastSeq, cancellationToken);
            replayed = replay.Count;
            metrics.Replayed(replay.Count);
            LogStreamOpened(room.Slug, roomId, resumeAfter, replay.Count, reset);
            lastSent = replay.LastSent;

            // Who is online, taken after subscribing: any later change follows in the queue, so the last presence
            // frame this client gets is always the current one.
            output.Write(presence.Snapshot(roomId));
            await output.FlushAsync(cancellationToken);

            var frames = subscription.Frames;
            while (await frames.WaitToReadAsync(cancellationToken))
            {
                // Published frames written in this burst, and the commit time of the oldest: counted once the
                // burst is flushed, so the hot loop only bumps a local.
                var burst = 0;
                long oldestCommittedAt = 0;
                while (frames.TryRead(out var frame))
                {
                    if (frame.Seq is { } seq)
                    {
                        if (seq > lastSent + 1)
                        {
                            // A frame never reached this node's fan-out (a publish failed after its commit): the
                            // database has it, so fill the gap from there rather than skip past it.
                            var filled = await ReplayAsync(output, roomId, lastSent, seq - 1, cancellationToken);
                            lastSent = filled.LastSent;
                            replayed += filled.Count;
                        }
                        if (seq <= lastSent)
                        {
                            continue; // already sent by a replay
                        }
                        lastSent = seq;
                    }
                    var mustFlush = output.Write(frame);
                    if (frame.CommittedAt != 0 && !frame.EndsStream && burst++ == 0)
                    {
                        oldestCommittedAt = frame.CommittedAt;
                    }
                    if (frame.EndsStream)
                    {
                        // The gone frame is not an event: the burst before it is what counts as delivered.
                        var lastFlush = await output.FlushAsync(cancellationToken);
                        if (!lastFlush.IsCompleted)
                        {
                            metrics.Delivered(burst, oldestCommittedAt);
                            delivered += burst;
                        }
                        end = StreamEnd.RoomGone;
                        return; // the room is gone: nothing will follow, and the client knows not to come back
                    }
                    if (mustFlush && (await output.FlushAsync(cancellationToken)).IsCompleted)
                    {
                        return; // the client is gone (a long burst is flushed as it goes, never held whole)
                    }
                }
                // One flush per burst, not per frame.
                var flushed = await output.FlushAsync(cancellationToken);
                if (flushed.IsCompleted)
                {
                    break; // the client is gone: what this burst wrote never reached it
                }
                metrics.Delivered(burst, oldestCommittedAt);
                delivered += burst;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the server is stopping: the stream simply ends.
        }
        catch (Exception)
        {
            end = StreamEnd.Failed; // e.g. the database failed during a replay; logged below, handled by the host
            throw;
        }
        finally
        {
            if (end == StreamEnd.Undecided)
            {
                end = subscription.IsDropped ? StreamEnd.Dropped
                    : lifetime.ApplicationStopping.IsCancellationRequested ? StreamEnd.ServerStopping
                    : StreamEnd.ClientLeft;
            }
            if (end == StreamEnd.Dropped)
            {
                // Abort rather than end: a clean end would still wait to push the final bytes to a client that does
                // not read. The client reconnects with its Last-Event-ID and misses nothing.
                httpContext.Abort();
            }
            var duration = Stopwatch.GetElapsedTime(openedAt);
            LogStreamClosed(room.Slug, roomId, end, resumeAfter, replayed, delivered, duration);
        }
    }

    /// <summary>
    /// Writes every event after <paramref name="afterSeq"/>: from the room's kept frames when they reach back that far
    /// and forward to <paramref name="throughSeq"/> (what the database is known to hold), else from the database.
    /// </summary>
    private async Task<(long LastSent, int Count)> ReplayAsync(
        SseOutput output, int roomId, long afterSeq, long throughSeq, CancellationToken cancellationToken)
    {
        var kept = new List<SseFrame>();
        if (broadcaster.TryGetRecent(roomId, afterSeq, throughSeq, kept))
        {
            foreach (var frame in kept)
            {
                if (output.Write(frame))
                {
                    await output.FlushAsync(cancellationToken);
                }
            }
            await output.FlushAsync(cancellationToken);
            return (kept.Count > 0 ? kept[^1].Seq!.Value : afterSeq, kept.Count);
        }

        var pageSize = options.Value.ReplayPageSize;
        var lastSent = afterSeq;
        var count = 0;
        while (true)
        {
            List<RoomEvent> page;
            using (await replayGate.EnterAsync(cancellationToken)) // one query per turn, not a whole catch-up
            {
                page = await queries.GetEventsAfterAsync(roomId, lastSent, pageSize, cancellationToken);
            }
            foreach (var roomEvent in page)
            {
                if (output.Write(await SseFrames.ForEventAsync(roomEvent)))
                {
                    await output.FlushAsync(cancellationToken);
                }
                lastSent = roomEvent.Seq;
            }
            count += page.Count;
            await output.FlushAsync(cancellationToken);
            if (page.Count < pageSize)
            {
                return (lastSent, count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message =
        "Stream opened in room {Room} ({RoomId}) after {ResumeAfter}; replayed {Replayed} events; reset: {Reset}.")]
    private partial void LogStreamOpened(string room, int roomId, long? resumeAfter, int replayed, bool reset);

    [LoggerMessage(Level = LogLevel.Debug, Message =
        "Stream closed in room {Room} ({RoomId}): {End}; it resumed after {ResumeAfter}, replayed {Replayed} and delivered {Delivered} live events in {Duration}.")]
    private partial void LogStreamClosed(
        string room, int roomId, StreamEnd end, long? resumeAfter, int replayed, long delivered, TimeSpan duration);

    /// <summary>How a stream ended, as its close is logged.</summary>
    private enum StreamEnd
    {
        /// <summary>Not known yet: worked out when the stream closes.</summary>
        Undecided,
        ClientLeft,
        ServerStopping,
        Dropped,
        RoomGone,
        Failed,
    }
}
