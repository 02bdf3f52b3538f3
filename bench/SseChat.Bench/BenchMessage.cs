using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SseChat.Bench;

/// <summary>
/// A chat message as all three servers send it: the shape of SseChat's <c>message</c> event ({seq, author, text,
/// sentAt}), so the baselines serialize as much as SseChat does.
/// </summary>
public sealed record BenchMessage(long Seq, string Author, string Text, DateTime SentAt);

/// <summary>
/// What the load generator puts into a message's text and reads back on delivery: the phase of the run, the
/// poster, the poster's running number, and the send time on the machine's monotonic clock. Stopwatch ticks are
/// CLOCK_MONOTONIC nanoseconds on Linux, the same clock in every process, so a child process can time a delivery
/// sent by its parent.
/// </summary>
public readonly record struct Stamp(int Phase, int Poster, int Number, long SentAt)
{
    public const int MaxPosters = 32;

    public string Format() => string.Create(CultureInfo.InvariantCulture, $"{Phase}:{Poster}:{Number}:{SentAt}");

    public static Stamp? Parse(ReadOnlySpan<char> text)
    {
        Span<Range> parts = stackalloc Range[5];
        if (text.Split(parts, ':') != 4
            || !int.TryParse(text[parts[0]], CultureInfo.InvariantCulture, out var phase)
            || !int.TryParse(text[parts[1]], CultureInfo.InvariantCulture, out var poster)
            || !int.TryParse(text[parts[2]], CultureInfo.InvariantCulture, out var number)
            || !long.TryParse(text[parts[3]], CultureInfo.InvariantCulture, out var sentAt)
            || poster is < 0 or >= MaxPosters)
        {
            return null;
        }
        return new Stamp(phase, poster, number, sentAt);
    }
}

/// <summary>One delivered message as the subscriber saw it.</summary>
public readonly record struct Delivery(long Seq, Stamp? Stamp)
{
    /// <summary>Reads seq and text from a message event's JSON without building an object or a string per field.</summary>
    public static Delivery FromJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Span<char> text = stackalloc char[64];
        long seq = 0;
        Stamp? stamp = null;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
            {
                continue;
            }
            if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                seq = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                if (reader.ValueSpan.Length <= text.Length)
                {
                    var length = reader.CopyString(text);
                    stamp = global::SseChat.Bench.Stamp.Parse(text[..length]);
                }
            }
        }
        return new Delivery(seq, stamp);
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BenchMessage))]
[JsonSerializable(typeof(List<BenchMessage>))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
