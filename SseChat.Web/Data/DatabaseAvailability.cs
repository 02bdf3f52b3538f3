using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SseChat.Web.Data;

/// <summary>
/// Whether the database answers, as the app's own commands find it: logged once when it stops answering and once
/// when it answers again, however many requests fail meanwhile (a PostgreSQL restart would otherwise log one error
/// per request). Fed by <see cref="Interceptor"/>, which sees every command and connection of every context.
/// </summary>
public sealed partial class DatabaseAvailability(ILogger<DatabaseAvailability> logger)
{
    private int unavailable; // 0 or 1, flipped atomically so that one change is logged once

    public bool IsAvailable => Volatile.Read(ref unavailable) == 0;

    /// <summary>
    /// A failure that says the database cannot be reached right now (a dropped connection, a server shutting down or
    /// starting, a busy SQLite file), as opposed to a bug in a query: the request can be retried later unchanged.
    /// </summary>
    public static bool IsOutage(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException { IsTransient: true } or TimeoutException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }
        return false;
    }

    public void ReportFailure(Exception exception)
    {
        if (IsOutage(exception) && Interlocked.Exchange(ref unavailable, 1) == 0)
        {
            LogUnavailable(exception);
        }
    }

    public void ReportSuccess()
    {
        if (Volatile.Read(ref unavailable) == 1 && Interlocked.Exchange(ref unavailable, 0) == 1)
        {
            LogAvailableAgain();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The database cannot be reached; posts are refused with 503 until it answers again.")]
    private partial void LogUnavailable(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database answers again.")]
    private partial void LogAvailableAgain();

    /// <summary>Reports every command's outcome and every failed connection attempt; a flag check when nothing changes.</summary>
    internal sealed class Interceptor(DatabaseAvailability availability) : IDbCommandInterceptor, IDbConnectionInterceptor
    {
        public DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
        {
            availability.ReportSuccess();
            return result;
        }

        public ValueTask<DbDataReader> ReaderExecutedAsync(
            DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            availability.ReportSuccess();
            return ValueTask.FromResult(result);
        }

        public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        {
            availability.ReportSuccess();
            return result;
        }

        public ValueTask<int> NonQueryExecutedAsync(
            DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            availability.ReportSuccess();
            return ValueTask.FromResult(result);
        }

        public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
        {
            availability.ReportSuccess();
            return result;
        }

        public ValueTask<object?> ScalarExecutedAsync(
            DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
        {
            availability.ReportSuccess();
            return ValueTask.FromResult(result);
        }

        public void CommandFailed(DbCommand command, CommandErrorEventData eventData) =>
            availability.ReportFailure(eventData.Exception);

        public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            availability.ReportFailure(eventData.Exception);
            return Task.CompletedTask;
        }

        public void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) =>
            availability.ReportFailure(eventData.Exception);

        public Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            availability.ReportFailure(eventData.Exception);
            return Task.CompletedTask;
        }
    }
}
