using Microsoft.AspNetCore.Mvc.Localization;

namespace SseChat.Web.Localization;

public static class LocalizerExtensions
{
    /// <summary>
    /// The label of a code that is stored or reported elsewhere (an audit action, a metric's tag value) in the
    /// reader's language, or the code itself when the resources have no label for it: a code added later, or a
    /// stored value no longer known, still shows as what it is.
    /// </summary>
    public static string LabelOr(this IHtmlLocalizer localizer, string key, string code)
    {
        var label = localizer.GetString(key);
        return label.ResourceNotFound ? code : label.Value;
    }
}
