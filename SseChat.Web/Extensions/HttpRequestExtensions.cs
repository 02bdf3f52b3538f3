using Microsoft.Net.Http.Headers;

namespace SseChat.Web.Extensions;

internal static class HttpRequestExtensions
{
    public static bool AcceptsJson(this HttpRequest request) => Accepts(request, "application/json");

    public static bool AcceptsHtml(this HttpRequest request) => Accepts(request, "text/html");

    private static bool Accepts(HttpRequest request, string mediaType) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase));
}
