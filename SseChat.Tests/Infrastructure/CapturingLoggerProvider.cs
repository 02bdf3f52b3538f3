using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// Keeps every log entry the app writes (add it with <c>ConfigureTestServices</c>): level, category, message, the
/// structured values and the scopes around it, so a test can search all of it.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> entries = new();
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLog> Entries => [.. entries];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = new List<KeyValuePair<string, object?>>();
            if (state is IEnumerable<KeyValuePair<string, object?>> stateValues)
            {
                values.AddRange(stateValues);
            }
            var scopeValues = new List<KeyValuePair<string, object?>>();
            var scopeText = new StringBuilder();
            provider.scopes.ForEachScope(
                (scope, _) =>
                {
                    scopeText.Append(scope).Append(" => ");
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        scopeValues.AddRange(pairs);
                    }
                },
                state);
            provider.entries.Enqueue(new CapturedLog(
                logLevel, category, eventId.Name, formatter(state, exception), values, scopeValues, scopeText.ToString(), exception?.ToString()));
        }
    }
}

public sealed record CapturedLog(
    LogLevel Level,
    string Category,
    string? EventName,
    string Message,
    IReadOnlyList<KeyValuePair<string, object?>> Values,
    IReadOnlyList<KeyValuePair<string, object?>> ScopeValues,
    string ScopeText,
    string? Exception)
{
    public object? Value(string name) => Values.FirstOrDefault(v => v.Key == name).Value;

    public object? ScopeValue(string name) => ScopeValues.FirstOrDefault(v => v.Key == name).Value;

    /// <summary>Everything this entry carries, as text: what any sink could end up writing.</summary>
    public string AllText() => string.Join(
        "\n",
        new[] { Category, Message, ScopeText, Exception ?? "" }
            .Concat(Values.Select(v => $"{v.Key}={v.Value}"))
            .Concat(ScopeValues.Select(v => $"{v.Key}={v.Value}")));
}
