using Microsoft.Extensions.Options;
using SseChat.Web.Data;

namespace SseChat.Web.Admin;

/// <summary>Reads the administrators' names again every <see cref="AdminOptions.NamesRefreshInterval"/>.</summary>
internal sealed partial class AdministratorNamesRefresher(
    AdministratorNames names,
    IServiceScopeFactory scopes,
    IOptions<AdminOptions> options,
    TimeProvider clock,
    ILogger<AdministratorNamesRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.NamesRefreshInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await names.LoadAsync(scope.ServiceProvider.GetRequiredService<ChatDbContext>(), stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException && DatabaseAvailability.IsOutage(exception))
            {
                // Logged once by DatabaseAvailability; the names already known stay refused, and the next tick tries again.
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogRefreshFailed(exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the administrators' names again failed; the names already known stay refused.")]
    private partial void LogRefreshFailed(Exception exception);
}
