using System.Globalization;

namespace SseChat.Web.Localization;

/// <summary>The languages SseChat's own text comes in. Users' text is shown as written, in whatever language.</summary>
public static class SupportedCultures
{
    public const string English = "en";

    /// <summary>Simplified Chinese; browsers asking for zh-CN, zh-SG or zh-Hans-* get it through the parent culture.</summary>
    public const string SimplifiedChinese = "zh-Hans";

    /// <summary>Used when the request names none of the supported languages.</summary>
    public const string Default = English;

    public static IReadOnlyList<string> All { get; } = [English, SimplifiedChinese];

    /// <summary>The supported culture a name stands for, spelled as supported ("zh-hans" is "zh-Hans"), or null.</summary>
    public static string? Find(string? name) =>
        All.FirstOrDefault(supported => string.Equals(supported, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Each language's name in itself, as a language switcher shows it.</summary>
    public static string NativeName(string name) => name switch
    {
        SimplifiedChinese => "简体中文",
        _ => CultureInfo.GetCultureInfo(name).NativeName,
    };
}
