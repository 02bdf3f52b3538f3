using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Npgsql;
using SseChat.Tests.Deploy;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Fleet;

/// <summary>
/// SseChat scaled out as docs/scale-out.md describes it, every part real: two nodes (the built app as two processes, in
/// Production) on one PostgreSQL database and one Redis server with <c>Backplane:Provider=Redis</c>, and in front of
/// them a real nginx running the shipped <c>deploy/nginx/ssechat-fleet.conf</c> (<see cref="DeployedNginxSite"/>) over
/// TLS on 127.0.0.1. Each node listens on a port fixed for the fleet's life, so a node killed and started again is
/// the same upstream server to nginx. Redis is the fleet's own (presence keys and channels are not shared with other
/// tests); the database is a fresh one on the shared PostgreSQL server unless the test brings a server of its own.
/// </summary>
public sealed partial class ChatFleet : IAsyncDisposable
{
    /// <summary>Nodes in the fleet: as many as the shipped site's upstream names (the site test insists they match).</summary>
    public const int NodeCount = 2;

    /// <summary>Short, so that a test waiting out a lost notice or a dead Redis waits a fraction of the 2 s default.</summary>
    public static readonly TimeSpan HeadPollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a dead node's visitors stay listed elsewhere, at most (plus one refresh).</summary>
    public static readonly TimeSpan PresenceTtl = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan PresenceRefreshInterval = TimeSpan.FromSeconds(1);

    /// <summary>Generous: a node starting while the machine's two cores run other fleets and builds takes a while.</summary>
    private static readonly TimeSpan NodeStartupTimeout = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan StreamReadTimeout = TimeSpan.FromSeconds(10);

    private readonly DirectoryInfo folder;
    private readonly X509Certificate2 certificate;
    private readonly int[] ports;
    private readonly IReadOnlyList<IReadOnlyDictionary<string, string>> nodeSettings;
    private readonly ChatServerProcess?[] nodes = new ChatServerProcess?[NodeCount];
    private readonly bool ownsDatabase;

    private ChatFleet(
        DirectoryInfo folder, PostgresServer postgres, string databaseConnectionString, bool ownsDatabase, RedisServer redis,
        IReadOnlyList<IReadOnlyDictionary<string, string>> nodeSettings)
    {
        this.folder = folder;
        Postgres = postgres;
        DatabaseConnectionString = databaseConnectionString;
        this.ownsDatabase = ownsDatabase;
        Redis = redis;
        this.nodeSettings = nodeSettings;
        certificate = ProxiedChat.CreateCertificate();
        ports = NginxProcess.FreeLoopbackPorts(NodeCount);
    }

    public PostgresServer Postgres { get; }

    public string DatabaseConnectionString { get; }

    public RedisServer Redis { get; }

    public NginxProcess Nginx { get; private set; } = null!;

    /// <summary>https://127.0.0.1:port/, nginx's TLS server in front of every node.</summary>
    public Uri ProxyAddress { get; private set; } = null!;

    /// <summary>The node's process while it runs.</summary>
    public ChatServerProcess Node(int index) =>
        nodes[index] ?? throw new InvalidOperationException($"Node {index} is not running.");

    /// <summary>Straight to one node, over plain HTTP on its fixed port (it works while the node is down, too: refused).</summary>
    public Door NodeDoor(int index) => new($"node {index}", NodeAddress(index), () => null);

    /// <summary>Through nginx, which picks the node.</summary>
    public Door ProxyDoor => new("nginx", ProxyAddress, () => CreateProxyHandler());

    /// <summary>A browser-like client of one node.</summary>
    public ChatClient CreateNodeClient(int index) => new(NodeAddress(index));

    /// <summary>A browser-like client of the fleet through nginx.</summary>
    public ChatClient CreateProxyClient() => new(ProxyAddress, handler => ProxiedChat.TrustOnly(handler, certificate));

    /// <param name="postgres">A server of the test's own (for tests that restart it), else the shared one.</param>
    /// <param name="perNodeSettings">Extra settings of each node, e.g. a different Backplane:NoticeChaos per node.</param>
    public static async Task<ChatFleet> StartAsync(
        PostgresServer? postgres = null, IReadOnlyList<IReadOnlyDictionary<string, string>>? perNodeSettings = null)
    {
        var folder = Directory.CreateTempSubdirectory("ssechat-fleet-");
        var server = postgres ?? PostgresServer.Shared;
        var database = server.CreateDatabase("fleet");
        var redis = RedisServer.StartNew();
        var fleet = new ChatFleet(
            folder, server, database, ownsDatabase: postgres is null, redis,
            perNodeSettings ?? [.. Enumerable.Repeat(new Dictionary<string, string>(), NodeCount)]);
        try
        {
            // One after the other: the first creates the schema and the first administrator, the second joins a
            // fleet that is already up, as a node added later does.
            for (var index = 0; index < NodeCount; index++)
            {
                await fleet.StartNodeAsync(index);
            }
            await fleet.StartNginxAsync();
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the node again on its port, with its settings, after <see cref="KillNode"/>.</summary>
    public async Task StartNodeAsync(int index)
    {
        if (nodes[index] is { HasExited: false })
        {
            throw new InvalidOperationException($"Node {index} is already running.");
        }
        nodes[index]?.Dispose();
        nodes[index] = null;
        var settings = new Dictionary<string, string>
        {
            // After the --urls of ChatServerProcess: the last one wins.
            ["urls"] = NodeAddress(index).ToString().TrimEnd('/'),
            ["Backplane:Provider"] = "Redis",
            ["ConnectionStrings:Redis"] = Redis.ConnectionString,
            ["Backplane:HeadPollInterval"] = HeadPollInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Backplane:PresenceTtl"] = PresenceTtl.ToString("c", CultureInfo.InvariantCulture),
            ["Backplane:PresenceRefreshInterval"] = PresenceRefreshInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Chat:HeartbeatInterval"] = Heartbeat.ToString("c", CultureInfo.InvariantCulture),
            ["Chat:RetryInterval"] = "00:00:00.200",
            // Every client of these tests comes from 127.0.0.1: the per-address limits would count them all as one.
            ["RateLimits:PostPermitLimit"] = "1000000",
            ["RateLimits:StreamPermitLimit"] = "1000000",
            ["Chat:MaxStreamsPerClient"] = "10000",
        };
        foreach (var (key, value) in nodeSettings[index])
        {
            settings[key] = value;
        }
        // Database__Provider and ConnectionStrings__Chat in the environment, as the systemd unit of docs/scale-out.md sets them.
        nodes[index] = await ChatServerProcess.StartAsync(ChatDatabase.Postgres(DatabaseConnectionString), settings, NodeStartupTimeout);
    }

    /// <summary>SIGKILL to one node: its streams end, its connections are refused until <see cref="StartNodeAsync"/>.</summary>
    public void KillNode(int index) => Node(index).Kill();

    /// <summary>The room's LastSeq in PostgreSQL: what every stream of it must end at.</summary>
    public long LastSeq(string slug) =>
        PostgresServer.QueryScalar(DatabaseConnectionString, $"""SELECT "LastSeq" FROM "Rooms" WHERE "Slug" = '{Slug(slug)}'""");

    /// <summary>How many messages with <paramref name="text"/> the room holds.</summary>
    public long CountMessages(string slug, string text)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(DatabaseConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(
            """SELECT count(*) FROM "RoomEvents" e JOIN "Rooms" r ON r."Id" = e."RoomId" WHERE r."Slug" = @slug AND e."Text" = @text""",
            connection);
        command.Parameters.AddWithValue("slug", slug);
        command.Parameters.AddWithValue("text", text);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>A new room of the test's own, straight into the database as any node would store it (nodes read rooms from there).</summary>
    public void CreateRoom(string slug) =>
        PostgresServer.Execute(DatabaseConnectionString, $"""
            INSERT INTO "Rooms" ("Slug", "Name", "Topic", "IsArchived", "LastSeq", "CreatedAt")
            VALUES ('{Slug(slug)}', '{Slug(slug)}', '', false, 0, now())
            """);

    /// <summary>The first administrator's one-time password, as the first node printed it once to its log.</summary>
    public string FirstAdministratorPassword() =>
        OneTimePassword().Match(Node(0).Output) is { Success: true } match
            ? match.Groups["password"].Value
            : throw new InvalidOperationException($"Node 0 printed no one-time password.\n{Node(0).Output}");

    private Uri NodeAddress(int index) => new($"http://127.0.0.1:{ports[index]}/");

    private static string Slug(string slug) =>
        Regex.IsMatch(slug, "^[a-z0-9-]{1,40}$") ? slug : throw new ArgumentException($"Not a room slug: {slug}", nameof(slug));

    private SocketsHttpHandler CreateProxyHandler()
    {
        var handler = new SocketsHttpHandler();
        ProxiedChat.TrustOnly(handler, certificate);
        return handler;
    }

    private async Task StartNginxAsync()
    {
        var nginxFolder = folder.CreateSubdirectory("nginx");
        var (certificatePath, keyPath) = await ProxiedChat.WritePemAsync(certificate, nginxFolder);
        var nodeAddresses = Enumerable.Range(0, NodeCount).Select(NodeAddress).ToList();
        // A port found free can be taken before nginx binds it: try again with others then.
        for (var attempt = 1; ; attempt++)
        {
            var listen = NginxProcess.FreeLoopbackPorts(2);
            var site = DeployedNginxSite.ForTest(
                DeployedNginxSite.Read(DeployedNginxSite.FleetSite), listen[0], listen[1], certificatePath, keyPath,
                nodeAddresses, StreamReadTimeout);
            try
            {
                Nginx = await NginxProcess.StartAsync(nginxFolder, site, listen, DeployedNginxSite.ReadCapacity());
                ProxyAddress = new Uri($"https://127.0.0.1:{listen[1]}/");
                return;
            }
            catch (InvalidOperationException exception) when (attempt < 3 && exception.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
            }
        }
    }

    /// <summary>What every node printed, for failure messages.</summary>
    public string Logs => string.Join("\n", nodes.Select((node, i) =>
        $"--- node {i} (last lines) ---\n{string.Join('\n', (node?.Output ?? "").Split('\n').TakeLast(150))}"));

    public ValueTask DisposeAsync()
    {
        Nginx?.Dispose();
        foreach (var node in nodes)
        {
            node?.Dispose();
        }
        Redis.Dispose();
        if (ownsDatabase)
        {
            try
            {
                Postgres.DropDatabase(DatabaseConnectionString);
            }
            catch (NpgsqlException)
            {
                // A database left behind goes with the server's folder at exit.
            }
        }
        certificate.Dispose();
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"one-time password: (?<password>\S+) --")]
    private static partial Regex OneTimePassword();
}

/// <summary>A way into the fleet: one node directly, or nginx; a fresh connection handler per connection.</summary>
public sealed record Door(string Name, Uri Address, Func<HttpMessageHandler?> CreateHandler);
