using System.ComponentModel.DataAnnotations;

namespace SseChat.Web.Backplane;

/// <summary>
/// How the nodes of a fleet share who is online (<c>Backplane:Presence*</c>, read only when <c>Backplane:Provider</c>
/// is <c>Redis</c>; docs/configuration.md).
/// </summary>
public sealed class PresenceSharingOptions : IValidatableObject
{
    /// <summary>
    /// How long a node's entries of a room stay in Redis without being written again. A node that dies stops
    /// refreshing them, so its visitors leave the other nodes' lists at most this long (plus one refresh) later.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PresenceTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a node writes its entries again and reads the other nodes', which also notices a dead node's
    /// expired entries and anything a lost pub/sub message did not say. At most a third of <see cref="PresenceTtl"/>,
    /// so two missed refreshes in a row still do not expire a live node's visitors.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:03:20")]
    public TimeSpan PresenceRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Typing notices waiting to go to the other nodes while Redis is slow or away; beyond it the oldest are dropped
    /// (a notice is stale after <c>Chat:TypingExpiry</c> anyway).
    /// </summary>
    [Range(1, 100_000)]
    public int TypingQueueCapacity { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PresenceRefreshInterval * 3 > PresenceTtl)
        {
            yield return new ValidationResult(
                $"{nameof(PresenceRefreshInterval)} ({PresenceRefreshInterval}) must be at most a third of {nameof(PresenceTtl)} ({PresenceTtl}).",
                [nameof(PresenceRefreshInterval), nameof(PresenceTtl)]);
        }
    }
}
