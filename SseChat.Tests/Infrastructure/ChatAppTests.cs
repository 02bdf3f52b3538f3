namespace SseChat.Tests.Infrastructure;

/// <summary>
/// Base of test classes that need the running app. xunit makes one instance per test, so every test gets a fresh
/// app on its own port with its own database file.
/// </summary>
/// <param name="connectionOptions">Extra SQLite connection-string keywords, e.g. "Default Timeout=1".</param>
public abstract class ChatAppTests(IDictionary<string, string?>? settings = null, string connectionOptions = "") : IAsyncLifetime
{
    protected ChatApplication App { get; } = new(settings ?? new Dictionary<string, string?>(), connectionOptions);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync() => await App.DisposeAsync();
}
