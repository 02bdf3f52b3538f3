using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using SseChat.Web.Chat;
using StackExchange.Redis;

namespace SseChat.Web.Backplane;

/// <summary>
/// Presence and typing across the fleet over Redis (docs/architecture.md, "Several nodes: presence"). Each node
/// writes its own entries of a room into the room's hash, one field per node, stamped with an expiry taken from
/// Redis's clock (one clock for the whole fleet), and says "room R changed" on a pub/sub channel; the other nodes read
/// the hash, drop the expired fields and merge the live ones into their <see cref="PresenceTracker"/>. Typing notices
/// go over another channel, at most once.
/// </summary>
/// <remarks>
/// All Redis work happens on this service's own loops, never in a request and never under a room's lock: the tracker
/// only notes changes in the <see cref="PresenceOutbox"/>. Every <see cref="PresenceSharingOptions.PresenceRefreshInterval"/>
/// the node writes its entries again (so they outlive <see cref="PresenceSharingOptions.PresenceTtl"/> only while it
/// lives) and reads every room's (so a dead node's expired entries, or a lost pub/sub message, show within one
/// refresh). While Redis cannot be read for longer than the TTL, the other nodes' entries are dropped and the lists
/// show this node's visitors only. A hash field per node rather than a key per (room, node) with a Redis TTL: one
/// read per room instead of a key scan, and per-field expiry (HEXPIRE) needs Redis 7.4.
/// </remarks>
public sealed partial class RedisPresenceSharing(
    IConnectionMultiplexer redis,
    PresenceTracker tracker,
    PresenceOutbox outbox,
    IOptions<PresenceSharingOptions> options,
    IOptions<ChatOptions> chatOptions,
    TimeProvider clock,
    ILogger<RedisPresenceSharing> logger) : BackgroundService
{
    private const string RoomKeyPrefix = "ssechat:presence:room:";
    private static readonly RedisKey RoomsKey = "ssechat:presence:rooms";
    private static readonly RedisChannel ChangedChannel = RedisChannel.Literal("ssechat:presence:changed");
    private static readonly RedisChannel TypingChannel = RedisChannel.Literal("ssechat:typing");

    // KEYS: the room's hash, the set of rooms with a hash. ARGV: node, entries ('' = none left), TTL in ms, room id.
    private const string WriteScript = """
        local now = redis.call('TIME')
        local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        local ttl = tonumber(ARGV[3])
        if ARGV[2] == '' then
          redis.call('HDEL', KEYS[1], ARGV[1])
          return 0
        end
        redis.call('HSET', KEYS[1], ARGV[1], string.format('%.0f', nowMs + ttl) .. '|' .. ARGV[2])
        if redis.call('PTTL', KEYS[1]) < ttl then
          redis.call('PEXPIRE', KEYS[1], ttl)
        end
        redis.call('SADD', KEYS[2], ARGV[4])
        return 1
        """;

    // KEYS as above. ARGV: room id. Returns node, entries, node, entries... of the fields not yet expired.
    private const string ReadScript = """
        local now = redis.call('TIME')
        local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        local fields = redis.call('HGETALL', KEYS[1])
        local live = {}
        for i = 1, #fields, 2 do
          local value = fields[i + 1]
          local bar = string.find(value, '|', 1, true)
          if bar and tonumber(string.sub(value, 1, bar - 1)) > nowMs then
            live[#live + 1] = fields[i]
            live[#live + 1] = string.sub(value, bar + 1)
          else
            redis.call('HDEL', KEYS[1], fields[i])
          end
        end
        if #live == 0 then
          redis.call('SREM', KEYS[2], ARGV[1])
        end
        return live
        """;

    private readonly PresenceSharingOptions settings = options.Value;
    private readonly ConcurrentDictionary<int, byte> remoteChanged = new();
    private readonly HashSet<int> unwritten = [];
    private int everything = 1; // write and read every room on the next round: at start and after a reconnect
    private int subscribed;
    private string? failure;
    private long lastRead;

    /// <summary>This process's name in Redis: random, so a restarted node never inherits a dead one's entries.</summary>
    public string NodeId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            var typing = SendTypingAsync(stoppingToken);
            await ShareAsync(stoppingToken);
            await typing;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            redis.ConnectionRestored -= OnConnectionRestored;
        }
    }

    private async Task ShareAsync(CancellationToken stoppingToken)
    {
        lastRead = clock.GetTimestamp();
        var nextRefresh = clock.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            var untilRefresh = clock.GetElapsedTime(clock.GetTimestamp(), nextRefresh);
            if (untilRefresh > TimeSpan.Zero && Volatile.Read(ref everything) == 0)
            {
                using var timeout = new CancellationTokenSource(untilRefresh, clock);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
                try
                {
                    await outbox.WaitAsync(either.Token);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                }
            }
            stoppingToken.ThrowIfCancellationRequested();
            var all = Interlocked.Exchange(ref everything, 0) == 1;
            var refresh = all || clock.GetTimestamp() >= nextRefresh;
            if (refresh)
            {
                nextRefresh = clock.GetTimestamp() + (long)(settings.PresenceRefreshInterval.TotalSeconds * clock.TimestampFrequency);
            }
            await RoundAsync(refresh, announceAll: all, stoppingToken);
        }
    }

    /// <summary>Writes what changed here and reads what changed elsewhere; on a refresh, every room both ways.</summary>
    private async Task RoundAsync(bool refresh, bool announceAll, CancellationToken stoppingToken)
    {
        unwritten.UnionWith(outbox.TakeChangedRooms());
        var changed = unwritten.ToList();
        var written = refresh
            ? changed.Union(tracker.RoomsWithEntries().Where(roomId => tracker.LocalEntries(roomId).Count > 0)).ToList()
            : changed;
        var toRead = TakeRemoteChanged();
        try
        {
            await SubscribeAsync();
            var db = redis.GetDatabase();
            var ttl = ((long)settings.PresenceTtl.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            var batch = db.CreateBatch();
            var writes = written.ConvertAll(roomId => Eval(
                batch, WriteScript, RoomKey(roomId), NodeId, Serialize(tracker.LocalEntries(roomId)), ttl, RoomId(roomId)));
            var notices = (announceAll ? written : changed).ConvertAll(roomId =>
                batch.PublishAsync(ChangedChannel, $"{NodeId} {roomId.ToString(CultureInfo.InvariantCulture)}"));
            Task<RedisValue[]>? members = refresh ? batch.SetMembersAsync(RoomsKey) : null;
            batch.Execute();
            await Bounded(Task.WhenAll([.. writes, .. notices]), stoppingToken);
            unwritten.Clear();

            if (members is not null)
            {
                foreach (var member in await Bounded(members, stoppingToken))
                {
                    if (int.TryParse((string?)member, NumberStyles.None, CultureInfo.InvariantCulture, out var roomId))
                    {
                        toRead.Add(roomId);
                    }
                }
                toRead.UnionWith(tracker.RoomsWithEntries()); // rooms whose last remote entry expired with the hash
            }
            await ReadAsync(db, toRead, stoppingToken);
            if (refresh)
            {
                lastRead = clock.GetTimestamp();
            }
            if (failure is not null)
            {
                failure = null;
                LogRedisBack();
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            foreach (var roomId in toRead)
            {
                remoteChanged.TryAdd(roomId, 0); // read again when Redis answers
            }
            // Once per kind of failure, not once per round.
            if (failure != exception.Message)
            {
                failure = exception.Message;
                LogRedisFailing(exception, settings.PresenceTtl);
            }
            if (clock.GetElapsedTime(lastRead) > settings.PresenceTtl)
            {
                // The other nodes' entries can no longer be vouched for: show this node's visitors only.
                foreach (var roomId in tracker.RoomsWithEntries().ToList())
                {
                    tracker.MergeRemote(roomId, []);
                }
            }
        }
    }

    private async Task ReadAsync(IDatabase db, HashSet<int> roomIds, CancellationToken stoppingToken)
    {
        if (roomIds.Count == 0)
        {
            return;
        }
        var batch = db.CreateBatch();
        var reads = roomIds.Select(roomId => (roomId, Eval(batch, ReadScript, RoomKey(roomId), RoomId(roomId)))).ToList();
        batch.Execute();
        await Bounded(Task.WhenAll(reads.Select(read => read.Item2)), stoppingToken);
        foreach (var (roomId, read) in reads)
        {
            var fields = (RedisResult[]?)await read ?? [];
            var remote = new List<PresenceEntry>();
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                if ((string?)fields[i] != NodeId && Deserialize((string?)fields[i + 1]) is { } entries)
                {
                    remote.AddRange(entries);
                }
            }
            tracker.MergeRemote(roomId, remote);
        }
    }

    private async Task SubscribeAsync()
    {
        // Once registered, the multiplexer subscribes again by itself after every reconnect.
        if (Volatile.Read(ref subscribed) == 1)
        {
            return;
        }
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(ChangedChannel, OnChanged);
        await subscriber.SubscribeAsync(TypingChannel, OnTyping);
        Volatile.Write(ref subscribed, 1);
    }

    private async Task SendTypingAsync(CancellationToken stoppingToken)
    {
        var subscriber = redis.GetSubscriber();
        await foreach (var notice in outbox.TypingNotices.ReadAllAsync(stoppingToken))
        {
            if (clock.GetElapsedTime(notice.Queued) > chatOptions.Value.TypingExpiry / 2)
            {
                continue; // queued behind a slow Redis: the page has sent a fresher one by now if its visitor still types
            }
            try
            {
                await Bounded(subscriber.PublishAsync(
                    TypingChannel, $"{NodeId} {notice.RoomId.ToString(CultureInfo.InvariantCulture)} {notice.Author}"), stoppingToken);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
            {
                // At most once: a notice Redis did not take is gone, the next keystroke sends another.
            }
        }
    }

    // Runs on the multiplexer's thread: it only notes the room and wakes the loop.
    private void OnChanged(RedisChannel channel, RedisValue message)
    {
        var parts = ((string?)message ?? "").Split(' ', 2);
        if (parts.Length == 2 && parts[0] != NodeId
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var roomId))
        {
            remoteChanged.TryAdd(roomId, 0);
            outbox.Wake();
        }
    }

    private void OnTyping(RedisChannel channel, RedisValue message)
    {
        var parts = ((string?)message ?? "").Split(' ', 3);
        if (parts.Length == 3 && parts[0] != NodeId && parts[2].Length > 0
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var roomId))
        {
            tracker.ShowTyping(roomId, parts[2]);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        // Redis may have restarted empty, or the other nodes expired this node's entries meanwhile.
        Volatile.Write(ref everything, 1);
        outbox.Wake();
    }

    private HashSet<int> TakeRemoteChanged()
    {
        var taken = new HashSet<int>();
        foreach (var roomId in remoteChanged.Keys)
        {
            if (remoteChanged.TryRemove(roomId, out _))
            {
                taken.Add(roomId);
            }
        }
        return taken;
    }

    // A round that takes longer than the TTL is worthless (what it writes has expired), and a frozen Redis must not
    // hold the loop longer than that even if the client's own timeout were set higher.
    private Task Bounded(Task task, CancellationToken stoppingToken) => task.WaitAsync(settings.PresenceTtl, clock, stoppingToken);

    private Task<T> Bounded<T>(Task<T> task, CancellationToken stoppingToken) => task.WaitAsync(settings.PresenceTtl, clock, stoppingToken);

    /// <summary>
    /// EVAL with the script's text every time rather than by its hash (EVALSHA): a Redis restarted empty has lost its
    /// script cache, and this way nothing depends on it. The scripts are a few hundred bytes, twice per room and refresh.
    /// </summary>
    private static Task<RedisResult> Eval(IBatch batch, string script, RedisKey roomKey, params string[] args) =>
        batch.ExecuteAsync("EVAL", [script, 2, roomKey, RoomsKey, .. args]);

    private static string RoomId(int roomId) => roomId.ToString(CultureInfo.InvariantCulture);

    private static RedisKey RoomKey(int roomId) => RoomKeyPrefix + RoomId(roomId);

    private static string Serialize(IReadOnlyList<PresenceEntry> entries) =>
        entries.Count == 0 ? "" : JsonSerializer.Serialize([.. entries], PresenceJsonContext.Default.PresenceEntryArray);

    private static PresenceEntry[]? Deserialize(string? json)
    {
        try
        {
            return string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize(json, PresenceJsonContext.Default.PresenceEntryArray);
        }
        catch (JsonException)
        {
            return null; // written by a version that shares presence differently: its visitors are not listed here
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Presence cannot reach Redis; other nodes' visitors stay listed for at most {Ttl}, then only this node's are.")]
    private partial void LogRedisFailing(Exception exception, TimeSpan ttl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Presence reaches Redis again; the fleet's visitors are listed.")]
    private partial void LogRedisBack();
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PresenceEntry[]))]
internal sealed partial class PresenceJsonContext : JsonSerializerContext;
