using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Primitives;

namespace SseChat.Web.Localization;

/// <summary>
/// Accept-Language as ASP.NET Core reads it, except that a bare <c>zh</c> ("Chinese", no script or region) means
/// Simplified Chinese. The framework only falls back from a culture to its parent (zh-CN to zh-Hans), never from
/// <c>zh</c> down to a child, so a browser that says just <c>zh</c> would otherwise get English.
/// </summary>
internal sealed class ChineseAcceptLanguageProvider : AcceptLanguageHeaderRequestCultureProvider
{
    public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        var result = await base.DetermineProviderCultureResult(httpContext);
        if (result is null)
        {
            return null;
        }
        var cultures = result.Cultures.Select(ChineseToSimplified).ToList();
        return new ProviderCultureResult(cultures, cultures);
    }

    private static StringSegment ChineseToSimplified(StringSegment culture) =>
        culture.Equals("zh", StringComparison.OrdinalIgnoreCase) ? SupportedCultures.SimplifiedChinese : culture;
}
