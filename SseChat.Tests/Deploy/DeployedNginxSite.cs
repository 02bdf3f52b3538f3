using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Deploy;

/// <summary>
/// <c>deploy/nginx/ssechat.conf</c> (or <c>ssechat-fleet.conf</c>), a site configuration operators install, as the tests run it. It is used
/// verbatim except for these mechanical changes, the only ones a test machine needs:
/// <list type="number">
/// <item><c>listen 80;</c> and <c>listen 443 ssl http2;</c> listen on 127.0.0.1 at free ports instead (the
/// <c>ssl http2</c> parameters stay); their <c>[::]</c> twins are dropped.</item>
/// <item><c>ssl_certificate</c> and <c>ssl_certificate_key</c> name a self-signed certificate made for the test.</item>
/// <item>The upstream's <c>server 127.0.0.1:5000;</c> names the app under test. In the fleet site
/// (<c>ssechat-fleet.conf</c>) each <c>server 127.0.0.1:500N ...;</c> line of the upstream names one node under test,
/// in order, its parameters kept: there must be as many lines as nodes.</item>
/// <item><c>proxy_read_timeout</c> in <c>location /stream/</c> becomes the test's few seconds instead of a minute.</item>
/// </list>
/// Each change must apply exactly once: an edit of the deployed file that defeats one fails the tests, rather than
/// quietly leaving them to test something else.
/// </summary>
public static partial class DeployedNginxSite
{
    public const string StreamLocation = "/stream/";

    public const string SingleNodeSite = "ssechat.conf";

    public const string FleetSite = "ssechat-fleet.conf";

    private static readonly (string Rule, string? Replacement) NoChange = ("", "");

    /// <summary>A deployed site file (<see cref="SingleNodeSite"/> by default), found from the test output folder upwards.</summary>
    public static string Read(string siteFile = SingleNodeSite) => File.ReadAllText(Path.Combine(DeployFolder(), siteFile));

    /// <summary>
    /// worker_connections and worker_rlimit_nofile of the shipped main configuration (deploy/nginx/nginx.conf), which
    /// the tests' nginx runs with; the rest of that file names Debian's paths and stays Debian's.
    /// </summary>
    public static NginxCapacity ReadCapacity()
    {
        var main = File.ReadAllText(Path.Combine(DeployFolder(), "nginx.conf"));
        int Single(string name)
        {
            var values = Regex.Matches(main, $@"^\s*{name}\s+(\d+)\s*;", RegexOptions.Multiline);
            return values.Count == 1
                ? int.Parse(values[0].Groups[1].Value, CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"deploy/nginx/nginx.conf should set {name} exactly once ({values.Count} found).");
        }
        return new NginxCapacity(Single("worker_connections"), Single("worker_rlimit_nofile"));
    }

    private static string DeployFolder()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "SseChat.sln")))
        {
            folder = folder.Parent;
        }
        if (folder is null)
        {
            throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} contains SseChat.sln.");
        }
        return Path.Combine(folder.FullName, "deploy", "nginx");
    }

    /// <summary>Applies the changes listed on this class to <paramref name="deployed"/>.</summary>
    public static string ForTest(
        string deployed, int httpPort, int httpsPort, string certificatePath, string keyPath, Uri app, TimeSpan streamReadTimeout) =>
        ForTest(deployed, httpPort, httpsPort, certificatePath, keyPath, [app], streamReadTimeout);

    /// <summary>Applies the changes listed on this class, the upstream's server lines naming <paramref name="nodes"/> in order.</summary>
    public static string ForTest(
        string deployed, int httpPort, int httpsPort, string certificatePath, string keyPath, IReadOnlyList<Uri> nodes,
        TimeSpan streamReadTimeout)
    {
        var applied = new Dictionary<string, int>();
        var result = new StringBuilder();
        string? location = null;
        foreach (var line in deployed.ReplaceLineEndings("\n").Split('\n'))
        {
            if (LocationStart().Match(line) is { Success: true } opened)
            {
                location = opened.Groups["path"].Value;
            }
            else if (location is not null && line.Trim() == "}")
            {
                location = null;
            }

            string? changed = line;
            if (Directive().Match(line) is { Success: true } directive)
            {
                var arguments = directive.Groups["arguments"].Value.Trim();
                (string Rule, string? Replacement) change = directive.Groups["name"].Value switch
                {
                    "listen" => arguments switch
                    {
                        "80" => ("listen 80", $"listen 127.0.0.1:{httpPort};"),
                        "[::]:80" => ("listen [::]:80", null),
                        "443 ssl http2" => ("listen 443", $"listen 127.0.0.1:{httpsPort} ssl http2;"),
                        "[::]:443 ssl http2" => ("listen [::]:443", null),
                        _ => throw new InvalidOperationException(
                            $"deploy/nginx/ssechat.conf has a listen line the tests cannot confine to 127.0.0.1: {line.Trim()}"),
                    },
                    "ssl_certificate" => ("ssl_certificate", $"ssl_certificate {certificatePath};"),
                    "ssl_certificate_key" => ("ssl_certificate_key", $"ssl_certificate_key {keyPath};"),
                    "server" when UpstreamServer().Match(arguments) is { Success: true } server && location is null =>
                        ("upstream server", NodeLine(nodes, applied.GetValueOrDefault("upstream server"), server.Groups["parameters"].Value)),
                    "proxy_read_timeout" when location == StreamLocation => (
                        "stream proxy_read_timeout",
                        string.Create(CultureInfo.InvariantCulture, $"proxy_read_timeout {streamReadTimeout.TotalSeconds:0}s;")),
                    _ => NoChange,
                };
                if (change != NoChange)
                {
                    applied[change.Rule] = applied.GetValueOrDefault(change.Rule) + 1;
                    changed = change.Replacement is null
                        ? null
                        : directive.Groups["indent"].Value + change.Replacement + directive.Groups["comment"].Value;
                }
            }
            if (changed is not null)
            {
                result.Append(changed).Append('\n');
            }
        }

        string[] expected =
        [
            "listen 80", "listen [::]:80", "listen 443", "listen [::]:443", "ssl_certificate", "ssl_certificate_key",
            "upstream server", "stream proxy_read_timeout",
        ];
        var wrong = expected.Where(rule => applied.GetValueOrDefault(rule) != (rule == "upstream server" ? nodes.Count : 1)).ToList();
        if (wrong.Count > 0)
        {
            throw new InvalidOperationException(
                $"The deployed nginx site no longer has exactly one line for each change the tests make to it (and one upstream server per node, {nodes.Count}): " +
                string.Join(", ", wrong.Select(rule => $"'{rule}' ({applied.GetValueOrDefault(rule)} found)")) +
                ". Update DeployedNginxSite along with the file.");
        }
        return result.ToString();
    }

    /// <summary>The <paramref name="index"/>-th node's server line, or one that fails the count check if there are more lines than nodes.</summary>
    private static string NodeLine(IReadOnlyList<Uri> nodes, int index, string parameters) =>
        index < nodes.Count ? $"server {nodes[index].Host}:{nodes[index].Port}{parameters};" : "# more upstream servers than nodes under test";

    /// <summary>An upstream server on this host's port 5000-5099, with whatever parameters follow (max_fails=...).</summary>
    [GeneratedRegex(@"^127\.0\.0\.1:50\d\d(?<parameters>(\s+\S+)*)$")]
    private static partial Regex UpstreamServer();

    [GeneratedRegex(@"^\s*location\s+(?<path>\S+)\s*\{")]
    private static partial Regex LocationStart();

    [GeneratedRegex(@"^(?<indent>\s*)(?<name>[a-z_0-9]+)\s+(?<arguments>[^;#{]*);(?<comment>.*)$")]
    private static partial Regex Directive();
}
