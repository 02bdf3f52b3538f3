using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Backplane;

/// <summary>How the nodes of a fleet tell each other about new events and who is online (docs/scale-out.md).</summary>
public sealed class BackplaneOptions
{
    public const string SectionName = "Backplane";

    public const string RedisConnectionStringName = "Redis";

    /// <summary><c>InProcess</c> for a single node (the default), <c>Redis</c> for several.</summary>
    public BackplaneProvider Provider { get; set; } = BackplaneProvider.InProcess;

    /// <summary>
    /// How often a node reads the newest seq of each room it has listeners in, so that a lost notice or a dead Redis
    /// delays delivery by at most this long and loses nothing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HeadPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// For tests only: tampers with the room notices this node hears (drops all or half, duplicates, reorders), to show
    /// that the database, not the notices, decides what reaches a stream. Never set it in production.
    /// </summary>
    public NoticeChaos NoticeChaos { get; set; } = NoticeChaos.None;
}

/// <summary>What <see cref="BackplaneOptions.NoticeChaos"/> does to the notices a node hears (tests only).</summary>
public enum NoticeChaos
{
    None,
    DropAll,
    DropHalf,
    Duplicate,
    Reorder,
}

public enum BackplaneProvider
{
    InProcess,
    Redis,
}
