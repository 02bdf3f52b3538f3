using System.Globalization;
using System.Text;

namespace SseChat.Web.Admin;

/// <summary>Derives a room slug from its name: "Café Talk!" becomes "cafe-talk". Mirrored by wwwroot/js/admin.js.</summary>
public static class SlugGenerator
{
    public static string FromName(string name)
    {
        var slug = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue; // the accent of a decomposed "é"
            }
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }
        var result = slug.ToString().Trim('-');
        return result.Length <= Data.Room.SlugMaxLength ? result : result[..Data.Room.SlugMaxLength].TrimEnd('-');
    }
}
