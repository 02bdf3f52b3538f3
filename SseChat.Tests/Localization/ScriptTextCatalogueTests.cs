using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SseChat.Tests.Web;

namespace SseChat.Tests.Localization;

/// <summary>
/// The page scripts take every word they show from the ScriptText catalogue (ui-text.js's <c>text('key')</c> and
/// <c>plural('key', n)</c>). These read the scripts and the two .resx files as committed: each key a script uses is
/// in both languages, each entry is used, and no script still writes English of its own.
/// </summary>
public sealed partial class ScriptTextCatalogueTests
{
    private static readonly string WebRoot = Path.Combine(LibManTests.RepositoryRoot(), "SseChat.Web");

    // Keys are dotted lower camel case: connection.live, newMessages.one.
    [GeneratedRegex(@"\b(?<function>text|plural)\(\s*'(?<key>[a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)*)'")]
    private static partial Regex LiteralKeyCall();

    // A call whose key is not written out (a variable, a condition): the scan below could not see it.
    [GeneratedRegex(@"(?<![\w.#])(?:text|plural)\((?>\s*)(?!')")]
    private static partial Regex ComputedKeyCall();

    [Fact]
    public void Every_key_the_scripts_use_is_in_the_English_and_the_Chinese_catalogue()
    {
        var uses = KeysUsedByScripts();
        Assert.Contains("connection.live", uses.Keys); // the scan finds what is surely there
        Assert.Contains("newMessages.one", uses.Keys);

        foreach (var (culture, catalogue) in Catalogues())
        {
            var missing = uses.Where(use => !catalogue.ContainsKey(use.Key)).Select(use => $"{use.Key} ({use.Value})");
            Assert.True(!missing.Any(), $"ScriptText{culture}.resx lacks: {string.Join(", ", missing)}");
        }
    }

    [Fact]
    public void Every_catalogue_entry_is_used_by_a_script()
    {
        var used = KeysUsedByScripts().Keys.ToHashSet();
        foreach (var (culture, catalogue) in Catalogues())
        {
            var unused = catalogue.Keys.Where(key => !used.Contains(key)).ToList();
            Assert.True(unused.Count == 0, $"ScriptText{culture}.resx has entries no script uses: {string.Join(", ", unused)}");
        }
    }

    [Fact]
    public void Every_text_call_names_its_key_literally_so_that_the_scan_sees_it()
    {
        var computed = Scripts()
            .Where(script => !script.Path.EndsWith("ui-text.js", StringComparison.Ordinal)) // where they are defined
            .SelectMany(script => ComputedKeyCall().Matches(WithoutComments(script.Source))
                .Select(match => $"{script.Path}: {LineAround(WithoutComments(script.Source), match.Index)}"))
            .ToList();
        Assert.True(computed.Count == 0, "Keys not written out: " + string.Join("; ", computed));
    }

    /// <summary>
    /// A heuristic, honest about its reach: it flags string and template literals that read like English prose
    /// (two words in a row, a lone capitalized word such as 'Retry', or a word set off by a space as in
    /// ' messages'), leaving out CSS class lists, console messages, Error texts and media queries, which readers
    /// never see. It
    /// cannot catch a lone lower-case word ('new'), text put together from pieces, strings nested inside a
    /// template's ${…}, or English that arrives from somewhere other than a literal in wwwroot/js.
    /// </summary>
    [Fact]
    public void No_script_holds_English_of_its_own()
    {
        var english = Scripts()
            .SelectMany(script => EnglishLiterals(script.Source).Select(literal => $"{script.Path}: '{literal}'"))
            .ToList();
        Assert.True(english.Count == 0, "English in scripts: " + string.Join("; ", english));
    }

    [Fact]
    public void The_English_check_finds_English_in_strings_and_templates_but_not_in_comments_or_class_names()
    {
        const string script = """
            // A comment that says 'Hello there' is no text for readers.
            import { text } from './ui-text.js';
            const TRAILING = /[.,;:!?'")\]}]+$/; /* a regex with quotes in it: 'not a string' */
            status.textContent = 'Retry';
            button.className = 'btn btn-sm btn-outline-danger';
            badge.textContent = count === 1 ? '1 new message' : `${count} new messages`;
            words.textContent = " messages";
            more.textContent = `and ${more} more`;
            link.rel = 'noopener noreferrer';
            if (event.key === 'Enter') { throw new Error(`History request failed with ${status}`); }
            console.error(`ui-text: no text for key "${key}"`);
            label.textContent = text('connection.live');
            """;
        Assert.Equal(["Retry", "1 new message", "{…} new messages", " messages", "and {…} more"], EnglishLiterals(script));
    }

    private static Dictionary<string, string> KeysUsedByScripts()
    {
        var uses = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, source) in Scripts())
        {
            foreach (Match call in LiteralKeyCall().Matches(WithoutComments(source)))
            {
                var key = call.Groups["key"].Value;
                // A counted text needs "one" and "other" (CLDR's categories for English; Chinese has only "other",
                // but both files hold the same keys).
                string[] keys = call.Groups["function"].Value == "plural" ? [$"{key}.one", $"{key}.other"] : [key];
                foreach (var used in keys)
                {
                    uses.TryAdd(used, path);
                }
            }
        }
        return uses;
    }

    private static List<(string Path, string Source)> Scripts()
    {
        var scripts = Directory.EnumerateFiles(Path.Combine(WebRoot, "wwwroot", "js"), "*.js", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => (Path.GetRelativePath(WebRoot, path), File.ReadAllText(path)))
            .ToList();
        Assert.Contains(scripts, script => script.Item1.EndsWith("composer.js", StringComparison.Ordinal));
        return scripts;
    }

    private static List<(string Culture, Dictionary<string, string> Entries)> Catalogues()
    {
        var folder = Path.Combine(WebRoot, "Resources", "Localization");
        return [("", ReadResx(Path.Combine(folder, "ScriptText.resx"))), (".zh-Hans", ReadResx(Path.Combine(folder, "ScriptText.zh-Hans.resx")))];
    }

    private static Dictionary<string, string> ReadResx(string path) =>
        XDocument.Load(path).Root!.Elements("data")
            .ToDictionary(data => data.Attribute("name")!.Value, data => data.Element("value")?.Value ?? "", StringComparer.Ordinal);

    private static string LineAround(string source, int index)
    {
        var start = source.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        var end = source.IndexOf('\n', index);
        return source[start..(end < 0 ? source.Length : end)].Trim();
    }

    [GeneratedRegex(@"[A-Za-z]{2,}[,.;:!?…'’]?\s+[A-Za-z]{2,}")]
    private static partial Regex TwoWords();

    [GeneratedRegex(@"^[A-Z][a-z]+[.…!?]*$")]
    private static partial Regex CapitalizedWord();

    [GeneratedRegex(@"^\s+[A-Za-z]{2,}|[A-Za-z]{2,}\s+$")]
    private static partial Regex WordSetOffBySpace();

    // Names the scripts compare with or look up, not words for readers: KeyboardEvent.key values and a global.
    private static readonly HashSet<string> CodeNames = ["Enter", "Escape", "Notification"];

    // Where strings go to developers or the browser, never to readers: class lists ("btn btn-sm"), link types, console
    // messages, Error texts, media queries.
    private static readonly string[] CodeFacingCalls = ["className =", "rel =", "console.error(", "new Error(", "matchMedia("];

    private static List<string> EnglishLiterals(string source) =>
        JavaScriptLiterals.Read(source)
            .Where(literal => !CodeFacingCalls.Any(call => literal.Before.EndsWith(call, StringComparison.Ordinal)))
            .Select(literal => literal.Text)
            .Where(IsEnglishProse)
            .ToList();

    // A template's ${…} counts as a word: `and ${more} more` is prose too.
    private static bool IsEnglishProse(string literal) =>
        TwoWords().IsMatch(literal.Replace("{…}", "Xx", StringComparison.Ordinal))
            || (CapitalizedWord().IsMatch(literal) && !CodeNames.Contains(literal))
            || WordSetOffBySpace().IsMatch(literal);

    private static string WithoutComments(string source) =>
        JavaScriptLiterals.StripComments(source);

    /// <summary>
    /// Just enough of JavaScript's lexical grammar to tell string, template and regular expression literals and
    /// comments apart (a regex like /[.,;:!?'")\]}]+$/ holds quotes that a plain search would take for strings).
    /// Written here because the test project has no JavaScript parser, and only literals matter.
    /// </summary>
    private static class JavaScriptLiterals
    {
        private const string RegexMayFollow = "(,=:[!&|?{};+-*%<>~^";

        /// <summary>Each literal's text (a template's ${…} parts shown as {…}), with the code just before it.</summary>
        public static List<(string Text, string Before)> Read(string source) => Scan(source).Literals;

        /// <summary>The source without its comments (literals kept as written).</summary>
        public static string StripComments(string source) => Scan(source).Code;

        private static (List<(string Text, string Before)> Literals, string Code) Scan(string source)
        {
            var literals = new List<(string, string)>();
            var code = new StringBuilder();
            var i = 0;
            while (i < source.Length)
            {
                var c = source[i];
                var next = i + 1 < source.Length ? source[i + 1] : '\0';
                if (c == '/' && next == '/')
                {
                    i = source.IndexOf('\n', i) is var end and >= 0 ? end : source.Length;
                }
                else if (c == '/' && next == '*')
                {
                    i = source.IndexOf("*/", i + 2, StringComparison.Ordinal) is var end and >= 0 ? end + 2 : source.Length;
                    code.Append(' ');
                }
                else if (c is '\'' or '"' or '`')
                {
                    var start = i;
                    var (text, after) = c == '`' ? ReadTemplate(source, i) : ReadString(source, i);
                    literals.Add((text, Before(code)));
                    code.Append(source, start, after - start);
                    i = after;
                }
                else if (c == '/' && StartsRegex(code))
                {
                    var after = SkipRegex(source, i);
                    code.Append(source, i, after - i);
                    i = after;
                }
                else
                {
                    code.Append(c);
                    i++;
                }
            }
            return (literals, code.ToString());
        }

        private static string Before(StringBuilder code)
        {
            var start = Math.Max(0, code.Length - 40);
            return code.ToString(start, code.Length - start).TrimEnd();
        }

        private static bool StartsRegex(StringBuilder code)
        {
            var before = code.ToString().TrimEnd();
            return before.Length == 0 || RegexMayFollow.Contains(before[^1], StringComparison.Ordinal)
                || before.EndsWith("return", StringComparison.Ordinal);
        }

        private static (string Text, int After) ReadString(string source, int open)
        {
            var text = new StringBuilder();
            var i = open + 1;
            while (i < source.Length && source[i] != source[open] && source[i] != '\n')
            {
                if (source[i] == '\\' && i + 1 < source.Length)
                {
                    i++;
                }
                text.Append(source[i]);
                i++;
            }
            return (text.ToString(), i + 1);
        }

        // Expressions inside ${…} are skipped by counting braces: enough for the scripts' simple templates.
        private static (string Text, int After) ReadTemplate(string source, int open)
        {
            var text = new StringBuilder();
            var i = open + 1;
            while (i < source.Length && source[i] != '`')
            {
                if (source[i] == '\\' && i + 1 < source.Length)
                {
                    text.Append(source[i + 1]);
                    i += 2;
                }
                else if (source[i] == '$' && i + 1 < source.Length && source[i + 1] == '{')
                {
                    i++;
                    var depth = 0;
                    do
                    {
                        depth += source[i] == '{' ? 1 : source[i] == '}' ? -1 : 0;
                        i++;
                    }
                    while (i < source.Length && depth > 0);
                    text.Append("{…}");
                }
                else
                {
                    text.Append(source[i]);
                    i++;
                }
            }
            return (text.ToString(), i + 1);
        }

        private static int SkipRegex(string source, int open)
        {
            var i = open + 1;
            var inClass = false;
            while (i < source.Length && source[i] != '\n' && (inClass || source[i] != '/'))
            {
                if (source[i] == '\\')
                {
                    i++;
                }
                else if (source[i] == '[')
                {
                    inClass = true;
                }
                else if (source[i] == ']')
                {
                    inClass = false;
                }
                i++;
            }
            i++;
            while (i < source.Length && char.IsAsciiLetter(source[i]))
            {
                i++; // flags
            }
            return i;
        }
    }
}
