using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Operations;

/// <summary>OpenTelemetry export, bound from the "OpenTelemetry" section; off while no endpoint is set.</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string SectionName = "OpenTelemetry";

    /// <summary>The OTLP collector that metrics are exported to (gRPC, e.g. http://127.0.0.1:4317); empty: no export.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>The endpoint as a URI, or null when export is off or the setting is not a valid one.</summary>
    public static Uri? ParseEndpoint(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint) && ParseEndpoint(OtlpEndpoint) is null)
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(OtlpEndpoint)} must be an absolute http:// or https:// URI (or empty to export nothing), not \"{OtlpEndpoint}\".",
                [nameof(OtlpEndpoint)]);
        }
    }
}
