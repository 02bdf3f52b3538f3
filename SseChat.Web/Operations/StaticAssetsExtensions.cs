using Microsoft.AspNetCore.StaticAssets;

namespace SseChat.Web.Operations;

/// <summary>
/// wwwroot (scripts, styles, Bootstrap) served the same whether the app runs published or straight from its build
/// output, in any environment; and a start-up check so that it never answers an asset with an empty 200.
/// </summary>
/// <remarks>
/// <para>
/// <c>MapStaticAssets</c> maps one endpoint per asset and encoding from <c>SseChat.Web.staticwebassets.endpoints.json</c>
/// beside the app. Each endpoint names a file relative to the web root, e.g. <c>js/room.js.gz</c> for a browser that
/// accepts gzip. In the published output (<c>dotnet publish</c>, docs/deploy.md) that manifest is the publish one and
/// every such file, the .gz and .br copies included, is in the published <c>wwwroot</c>. In the build output it is the
/// build manifest, and its files are spread over the project's <c>wwwroot</c> and <c>obj/…/compressed/</c>; what is
/// where is in <c>SseChat.Web.staticwebassets.runtime.json</c>, which only "static web assets" read. ASP.NET Core turns
/// those on in Development only, so an unpublished build in Production mapped every compressed endpoint to a file the
/// web root did not have, and the framework's invoker, on not finding it, answered 200 with no body and no
/// Content-Type (Chromium then refuses room.js's modules).
/// </para>
/// <para>
/// Static web assets are therefore turned on in every environment. This is the framework's own switch, not a second
/// copy of its file mapping, and it is a no-op in the published output, which has no runtime manifest, so a deployed
/// app serves exactly what it did. Whatever is still missing after that (the published app started outside its folder,
/// so the content root has no wwwroot; a build whose project or obj folder is gone) stops the app at start, naming the
/// web root, instead of surfacing as empty scripts in browsers.
/// </para>
/// </remarks>
internal static class StaticAssetsExtensions
{
    private const int MissingFilesNamed = 5;

    /// <summary>Reads the build's static web assets outside Development too (see the remarks on the class).</summary>
    public static WebApplicationBuilder AddStaticAssets(this WebApplicationBuilder builder)
    {
        // Development already has them (the web host's defaults); a second call would only nest the file providers.
        if (!builder.Environment.IsDevelopment())
        {
            builder.WebHost.UseStaticWebAssets();
        }
        return builder;
    }

    /// <summary>
    /// Maps wwwroot's assets and checks that the web root has the file of every one of them, so that the app refuses
    /// to start rather than serve an asset empty.
    /// </summary>
    public static WebApplication MapCheckedStaticAssets(this WebApplication app)
    {
        app.MapStaticAssets();

        // Only the static assets are mapped so far; building their endpoints now (routing would on the first request)
        // is how the manifest's descriptors are read through public API.
        var assetPaths = ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(source => source.Endpoints)
            .Select(endpoint => endpoint.Metadata.GetMetadata<StaticAssetDescriptor>()?.AssetPath)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var environment = app.Environment;
        var missing = assetPaths.Where(path => !environment.WebRootFileProvider.GetFileInfo(path).Exists).ToList();
        if (missing.Count > 0)
        {
            // WebRootPath is empty when the content root has no wwwroot at all.
            var webRoot = environment.WebRootPath is { Length: > 0 } path
                ? path
                : Path.Combine(environment.ContentRootPath, "wwwroot") + " (absent)";
            throw new InvalidOperationException(
                $"The web root {webRoot} lacks {missing.Count} of the {assetPaths.Count} static files "
                + $"(scripts, styles) that SseChat serves, e.g. {string.Join(", ", missing.Take(MissingFilesNamed))}; "
                + "browsers would get them empty. Start the published app (dotnet publish, docs/deploy.md) in its own folder "
                + "(the systemd unit's WorkingDirectory) or pass --contentRoot <that folder>; an unpublished build needs "
                + "the project folder it was built from, obj included.");
        }
        return app;
    }
}
