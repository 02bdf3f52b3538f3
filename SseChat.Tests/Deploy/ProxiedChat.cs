using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Deploy;

/// <summary>
/// The app as deployed: the built app as its own process (Production, appsettings.json as shipped) on 127.0.0.1, and
/// in front of it a real nginx running <see cref="DeployedNginxSite"/> with TLS and HTTP/2 on 127.0.0.1. Clients
/// trust exactly the certificate made for this run.
/// </summary>
public sealed class ProxiedChat : IDisposable
{
    private readonly DirectoryInfo folder;
    private readonly X509Certificate2 certificate;

    private ProxiedChat(DirectoryInfo folder, X509Certificate2 certificate, ChatServerProcess app)
    {
        this.folder = folder;
        this.certificate = certificate;
        App = app;
    }

    public ChatServerProcess App { get; }

    public NginxProcess Nginx { get; private set; } = null!;

    /// <summary>https://127.0.0.1:port/, nginx's TLS and HTTP/2 server.</summary>
    public Uri ProxyAddress { get; private set; } = null!;

    /// <summary>http://127.0.0.1:port/, nginx's plain HTTP server, which only redirects.</summary>
    public Uri RedirectAddress { get; private set; } = null!;

    /// <param name="heartbeatInterval">The app's Chat:HeartbeatInterval.</param>
    /// <param name="streamReadTimeout">nginx's proxy_read_timeout for /stream/.</param>
    public static async Task<ProxiedChat> StartAsync(TimeSpan heartbeatInterval, TimeSpan streamReadTimeout)
    {
        var folder = Directory.CreateTempSubdirectory("ssechat-nginx-");
        var database = ChatDatabase.CreateForRun(folder, "nginx");
        ChatServerProcess? app = null;
        ProxiedChat? proxied = null;
        try
        {
            app = await ChatServerProcess.StartAsync(
                database,
                new Dictionary<string, string>
                {
                    ["Chat:HeartbeatInterval"] = heartbeatInterval.ToString("c", CultureInfo.InvariantCulture),
                });
            proxied = new ProxiedChat(folder, CreateCertificate(), app);
            await proxied.StartNginxAsync(streamReadTimeout);
            return proxied;
        }
        catch
        {
            if (proxied is not null)
            {
                proxied.Dispose();
            }
            else
            {
                app?.Dispose();
                database.DropIfPostgres();
                DeleteFolder(folder);
            }
            throw;
        }
    }

    private async Task StartNginxAsync(TimeSpan streamReadTimeout)
    {
        var nginxFolder = folder.CreateSubdirectory("nginx");
        var (certificatePath, keyPath) = await WritePemAsync(certificate, nginxFolder);

        // A port found free can be taken before nginx binds it: try again with others then.
        for (var attempt = 1; ; attempt++)
        {
            var ports = NginxProcess.FreeLoopbackPorts(2);
            var site = DeployedNginxSite.ForTest(
                DeployedNginxSite.Read(), ports[0], ports[1], certificatePath, keyPath, App.BaseAddress, streamReadTimeout);
            try
            {
                Nginx = await NginxProcess.StartAsync(nginxFolder, site, ports, DeployedNginxSite.ReadCapacity());
                RedirectAddress = new Uri($"http://127.0.0.1:{ports[0]}/");
                ProxyAddress = new Uri($"https://127.0.0.1:{ports[1]}/");
                return;
            }
            catch (InvalidOperationException exception) when (attempt < 3 && exception.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
            }
        }
    }

    /// <summary>A connection handler that trusts this run's certificate only, connecting from <paramref name="source"/> if given.</summary>
    public SocketsHttpHandler CreateHandler(IPAddress? source = null)
    {
        var handler = new SocketsHttpHandler();
        Configure(handler, source);
        return handler;
    }

    /// <summary>Like <see cref="CreateHandler"/>, sending every request as HTTP/2 (and failing if nginx will not), as browsers do.</summary>
    public HttpMessageHandler CreateHttp2Handler(IPAddress? source = null) => new Http2Only(CreateHandler(source));

    /// <summary>A browser-like client of the site through nginx (its page and form requests go over HTTP/1.1).</summary>
    public ChatClient CreateProxiedClient(IPAddress? source = null) =>
        new(ProxyAddress, handler => Configure(handler, source));

    private void Configure(SocketsHttpHandler handler, IPAddress? source)
    {
        TrustOnly(handler, certificate);
        if (source is not null)
        {
            handler.ConnectCallback = LoopbackSource.ConnectFrom(source);
        }
    }

    /// <summary>Makes <paramref name="handler"/> accept exactly <paramref name="certificate"/> from the server.</summary>
    internal static void TrustOnly(SocketsHttpHandler handler, X509Certificate2 certificate)
    {
        var expected = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == expected;
    }

    /// <summary>Writes <paramref name="certificate"/> and its key as PEM files into <paramref name="folder"/>, for nginx.</summary>
    internal static async Task<(string CertificatePath, string KeyPath)> WritePemAsync(X509Certificate2 certificate, DirectoryInfo folder)
    {
        var certificatePath = Path.Combine(folder.FullName, "test.crt");
        var keyPath = Path.Combine(folder.FullName, "test.key");
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey()!)
        {
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        }
        return (certificatePath, keyPath);
    }

    /// <summary>A self-signed certificate for 127.0.0.1, valid around now.</summary>
    internal static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }

    public void Dispose()
    {
        Nginx?.Dispose();
        App.Dispose();
        App.Database.DropIfPostgres();
        certificate.Dispose();
        DeleteFolder(folder);
    }

    private static void DeleteFolder(DirectoryInfo folder)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; failing the test over it is not.
        }
    }

    private sealed class Http2Only(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
