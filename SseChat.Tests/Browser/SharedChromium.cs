namespace SseChat.Tests.Browser;

/// <summary>
/// Every browser test class shares one Chromium and runs one at a time: each class already drives a browser and a
/// Kestrel app, and on a small machine running them side by side only makes them all slower and flakier.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedChromium : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "Browser";
}
