using System.ComponentModel.DataAnnotations;
using System.Net;

namespace SseChat.Web.Operations;

/// <summary>
/// Which proxies the app believes about the client's address and scheme, bound from the "ReverseProxy" section
/// and validated at start-up. The defaults (in appsettings.json) trust an nginx on the same host.
/// </summary>
public sealed class ReverseProxyOptions : IValidatableObject
{
    public const string SectionName = "ReverseProxy";

    /// <summary>
    /// Addresses of the proxies whose X-Forwarded-For and X-Forwarded-Proto are believed. A request from any other
    /// address keeps its own address and scheme, whatever headers it sends. No default here: configuration binding
    /// appends to a list, so the default lives in appsettings.json only.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>How many proxies, counted from the app, may sit between the client and the app.</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    /// <summary>The parsed <see cref="KnownProxies"/>; entries that are not addresses are left to validation.</summary>
    public IEnumerable<IPAddress> ParsedKnownProxies() =>
        KnownProxies.Select(Parse).OfType<IPAddress>();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var entry in KnownProxies)
        {
            if (Parse(entry) is null)
            {
                yield return new ValidationResult(
                    $"{SectionName}:{nameof(KnownProxies)} contains '{entry}', which is not an IP address.",
                    [nameof(KnownProxies)]);
            }
        }
    }

    private static IPAddress? Parse(string? entry) =>
        IPAddress.TryParse(entry?.Trim(), out var address) ? address : null;
}
