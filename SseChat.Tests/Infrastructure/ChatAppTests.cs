namespace SseChat.Tests.Infrastructure;

/// <summary>
/// Base of test classes that need the running app. xunit makes one instance per test, so every test gets a fresh
/// app on its own port with its own database file.
/// </summary>
public abstract class ChatAppTests(IDictionary<string, string?>? settings = null) : IAsyncLifetime
{
    protected ChatApplication App { get; } = new(settings ?? new Dictionary<string, string?>());

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync() => await App.DisposeAsync();
}
