using System.Globalization;

namespace SseChat.Web.Backplane;

/// <summary>
/// One doorbell ring on the Redis channel: which node sent it, which room, and the highest seq committed there (or
/// that the room is gone). No message bodies: the events table is the log, and a notice only says where to read.
/// Written as <c>node:room:seq</c>, with seq -1 for a deleted room, so that it stays a few dozen bytes.
/// </summary>
internal readonly record struct RoomNotice(string Node, int RoomId, long Seq)
{
    public const string Channel = "ssechat:room-notices";

    private const long GoneSeq = -1;

    public bool IsGone => Seq == GoneSeq;

    public static RoomNotice Gone(string node, int roomId) => new(node, roomId, GoneSeq);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Node}:{RoomId}:{Seq}");

    /// <summary>Reads a notice; anything else on the channel (another version, a stray PUBLISH) is not one.</summary>
    public static bool TryParse(string text, out RoomNotice notice)
    {
        notice = default;
        var span = text.AsSpan();
        var first = span.IndexOf(':');
        var last = span.LastIndexOf(':');
        if (first <= 0 || last <= first
            || !int.TryParse(span[(first + 1)..last], NumberStyles.None, CultureInfo.InvariantCulture, out var roomId)
            || !long.TryParse(span[(last + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seq)
            || seq < GoneSeq)
        {
            return false;
        }
        notice = new RoomNotice(text[..first], roomId, seq);
        return true;
    }
}
