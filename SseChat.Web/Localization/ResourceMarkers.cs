namespace SseChat.Web.Localization;

/// <summary>Validation messages and [Display] names of every form and query model (Resources/Localization/).</summary>
public sealed class ValidationMessages;

/// <summary>Titles and details of ProblemDetails answers written outside a controller (refusals, filters).</summary>
public sealed class ProblemText;

/// <summary>
/// The strings the page scripts show (connection states, counters, typing...). Rendered into every page as a JSON
/// block by _ScriptText.cshtml, so the scripts hold no language of their own.
/// </summary>
public sealed class ScriptText;
