using System.Data.Common;

namespace SseChat.Web.Data;

internal static class DatabaseFailures
{
    /// <summary>
    /// Whether <paramref name="exception"/> comes from a database that cannot be reached right now (PostgreSQL down
    /// or restarting, a broken connection) rather than from a mistake: the provider marks such errors transient, and
    /// EF Core may wrap them.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException { IsTransient: true })
            {
                return true;
            }
        }
        return false;
    }
}
