using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Browser;

/// <summary>
/// Base of browser tests that each get a fresh app (real Kestrel, real SQLite file) and a <see cref="BrowserSession"/>
/// on the shared Chromium; both are disposed with the test.
/// </summary>
/// <param name="settings">Configuration overrides for every test of the class, as an operator would set them.</param>
public abstract class BrowserAppTests(ChromiumFixture chromium, IDictionary<string, string?>? settings = null) : IAsyncLifetime
{
    protected ChatApplication App { get; } = settings is null ? new() : new(settings);

    protected BrowserSession Session { get; private set; } = null!;

    /// <summary>The shared Chromium, for a test that needs an app of its own (other settings).</summary>
    protected ChromiumFixture Chromium => chromium;

    public virtual Task InitializeAsync()
    {
        Session = new BrowserSession(chromium.Browser, App);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        await App.DisposeAsync();
    }
}
