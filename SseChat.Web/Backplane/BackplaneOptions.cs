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
}

public enum BackplaneProvider
{
    InProcess,
    Redis,
}
