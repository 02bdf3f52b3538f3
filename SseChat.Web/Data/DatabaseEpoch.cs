namespace SseChat.Web.Data;

/// <summary>
/// The database's one row saying which incarnation of the chat's history this is: a random number drawn when the
/// database is created, and drawn again for a backup's copy, so that a browser whose page came from before a restore
/// can be told that its event ids belong to another history (docs/protocol.md, "Resuming across a restore").
/// </summary>
public class DatabaseEpoch
{
    public const int SingleRowId = 1;

    public int Id { get; set; }

    public long Epoch { get; set; }
}
