using Microsoft.EntityFrameworkCore;
using SseChat.Web.Data;

namespace SseChat.Web.Operations;

/// <summary>
/// <c>dotnet run --project SseChat.Web -- epoch renew</c> (or <c>dotnet SseChat.Web.dll epoch renew</c>): gives the
/// database a new epoch, for a database restored by other means than the <c>backup</c> command (pg_restore, a file
/// copy), so that the browsers of before the restore start afresh instead of resuming into other events
/// (docs/backup.md, docs/protocol.md "Resuming across a restore or a reused slug"). Nodes read the epoch with every
/// room lookup, so it takes effect at once, running or not.
/// </summary>
internal static class EpochCommand
{
    private const string Usage =
        "usage: epoch renew   (after restoring the database by other means than the backup command)";

    /// <summary>Runs the command when the arguments ask for it; false when they do not (the app then serves).</summary>
    public static async Task<bool> TryRunEpochCommandAsync(this WebApplication app, string[] args)
    {
        if (args.Length == 0 || args[0] != "epoch")
        {
            return false;
        }
        if (args is not [_, "renew"])
        {
            await Console.Error.WriteLineAsync(Usage);
            Environment.ExitCode = 2;
            return true;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        var row = await db.DatabaseEpochs.SingleOrDefaultAsync(e => e.Id == DatabaseEpoch.SingleRowId);
        if (row is null)
        {
            row = new DatabaseEpoch { Id = DatabaseEpoch.SingleRowId, Epoch = DatabaseEpoch.DrawOtherThan(-1) };
            db.DatabaseEpochs.Add(row);
        }
        else
        {
            row.Epoch = DatabaseEpoch.DrawOtherThan(row.Epoch);
        }
        await db.SaveChangesAsync();
        Console.WriteLine(
            "Database epoch renewed: browsers holding a page from before now start afresh (a reset and a reload) when " +
            "they next reconnect.");
        Environment.ExitCode = 0;
        return true;
    }
}
