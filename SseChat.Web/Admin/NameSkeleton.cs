using System.Text;
using SseChat.Web.Models;

namespace SseChat.Web.Admin;

/// <summary>
/// What a display name looks like, for telling whether two names could pass for one another: NFKC-normalized (full-
/// width and styled letters become plain ones), runs of white space made one space, lower-cased, and the Cyrillic and
/// Greek letters that look like Latin ones (and 0, 1, l) mapped to one Latin letter. A small, deterministic subset of
/// Unicode's confusables (UTS #39), hand-written because .NET has no confusables table; it errs towards calling
/// names alike, which only ever costs a visitor the choice of another name.
/// </summary>
public static class NameSkeleton
{
    // Lower-case look-alikes (the input is lower-cased first), each to the Latin letter it passes for.
    private static readonly Dictionary<char, char> LookAlikes = new()
    {
        // Cyrillic
        ['а'] = 'a', ['в'] = 'b', ['с'] = 'c', ['ԁ'] = 'd', ['е'] = 'e', ['ё'] = 'e', ['һ'] = 'h', ['і'] = 'i',
        ['ї'] = 'i', ['ӏ'] = 'i', ['ј'] = 'j', ['к'] = 'k', ['м'] = 'm', ['н'] = 'h', ['о'] = 'o', ['р'] = 'p',
        ['ԛ'] = 'q', ['ѕ'] = 's', ['т'] = 't', ['у'] = 'y', ['ԝ'] = 'w', ['х'] = 'x', ['ү'] = 'y', ['ɡ'] = 'g',
        // Greek
        ['α'] = 'a', ['β'] = 'b', ['ε'] = 'e', ['η'] = 'n', ['ι'] = 'i', ['κ'] = 'k', ['ν'] = 'v', ['ο'] = 'o',
        ['ρ'] = 'p', ['τ'] = 't', ['υ'] = 'u', ['χ'] = 'x', ['γ'] = 'y', ['ω'] = 'w', ['ϲ'] = 'c', ['ϳ'] = 'j',
        // Latin and digits that pass for one another in many fonts ("I" is lower-cased to "i" first)
        ['l'] = 'i', ['1'] = 'i', ['|'] = 'i', ['ı'] = 'i', ['0'] = 'o',
    };

    public static string Of(string name)
    {
        var normalized = name.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var skeleton = new StringBuilder(normalized.Length);
        var pendingSpace = false;
        foreach (var rune in normalized.EnumerateRunes())
        {
            if (NoFormatCharactersAttribute.IsInvisible(rune))
            {
                continue; // invisible: names refuse them, but a name stored before that rule may hold one
            }
            if (Rune.IsWhiteSpace(rune))
            {
                pendingSpace = skeleton.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                skeleton.Append(' ');
                pendingSpace = false;
            }
            if (rune.IsBmp && LookAlikes.TryGetValue((char)rune.Value, out var latin))
            {
                skeleton.Append(latin);
            }
            else
            {
                skeleton.Append(rune.ToString());
            }
        }
        return skeleton.ToString();
    }
}
