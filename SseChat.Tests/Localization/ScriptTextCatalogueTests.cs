using System.Text.RegularExpressions;
using System.Xml.Linq;
using Acornima;
using Acornima.Ast;
using SseChat.Tests.Web;

namespace SseChat.Tests.Localization;

/// <summary>
/// The page scripts take every word they show from the ScriptText catalogue (ui-text.js's <c>text('key')</c> and
/// <c>plural('key', n)</c>, <c>textNodes('key')</c>). These read the scripts and the two .resx files as committed: each key a script uses is
/// in both languages, each entry is used, and no script still writes English of its own.
/// </summary>
public sealed partial class ScriptTextCatalogueTests
{
    private static readonly string WebRoot = Path.Combine(LibManTests.RepositoryRoot(), "SseChat.Web");

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
            .SelectMany(script => KeysNotWrittenOut(script.Source).Select(call => $"{script.Path}:{call}"))
            .ToList();
        Assert.True(computed.Count == 0, "Keys not written out: " + string.Join("; ", computed));
    }

    [Fact]
    public void The_literal_key_check_reports_keys_that_are_a_variable_or_a_template()
    {
        const string script = """
            import { plural, text } from './ui-text.js';
            label.textContent = text('connection.live');
            badge.textContent = plural('newMessages', count);
            status.textContent = text(state);
            more.textContent = plural(`people.${kind}`, count);
            element.text('not ours: a method of some other object');
            """;
        Assert.Equal(["4: text(state)", "5: plural(`people.${kind}`, count)"], KeysNotWrittenOut(script));
    }

    /// <summary>
    /// A heuristic, honest about its reach: of the string and template literals the parser finds, it flags those
    /// that read like English prose (two words in a row, a lone capitalized word such as 'Retry', or a word set off
    /// by a space as in ' messages'), leaving out CSS class lists, link types, console messages, Error texts and
    /// media queries, which readers never see. It cannot catch a lone lower-case word ('new'), text put together
    /// from pieces, or English that arrives from somewhere other than a literal in wwwroot/js.
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
            title.textContent = `${count > 1 ? 'Several people' : name}`;
            link.rel = 'noopener noreferrer';
            if (event.key === 'Enter') { throw new Error(`History request failed with ${status}`); }
            console.error(`ui-text: no text for key "${key}"`);
            label.textContent = text('connection.live');
            """;
        Assert.Equal(["Retry", "1 new message", "{…} new messages", " messages", "and {…} more", "Several people"], EnglishLiterals(script));
    }

    private static Dictionary<string, string> KeysUsedByScripts()
    {
        var uses = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, source) in Scripts())
        {
            foreach (var call in TextCalls(source))
            {
                if (call.Arguments.Count == 0 || call.Arguments[0] is not StringLiteral { Value: var key })
                {
                    continue; // a key not written out: the test of literal keys reports it
                }
                // A counted text needs "one" and "other" (CLDR's categories for English; Chinese has only "other",
                // but both files hold the same keys).
                string[] keys = ((Identifier)call.Callee).Name == "plural" ? [$"{key}.one", $"{key}.other"] : [key];
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

    // Every page script is an ES module (loaded with type="module"); a script that does not parse fails the test.
    private static Module Parse(string source) => new Parser().ParseModule(source);

    private static List<string> KeysNotWrittenOut(string source) =>
        TextCalls(source)
            .Where(call => call.Arguments.Count == 0 || call.Arguments[0] is not StringLiteral)
            .Select(call => $"{call.Location.Start.Line}: {source[call.Start..call.End]}")
            .ToList();

    private static IEnumerable<CallExpression> TextCalls(string source) =>
        Parse(source).DescendantNodes()
            .OfType<CallExpression>()
            .Where(call => call.Callee is Identifier { Name: "text" or "plural" or "textNodes" });

    [GeneratedRegex(@"[A-Za-z]{2,}[,.;:!?…'’]?\s+[A-Za-z]{2,}")]
    private static partial Regex TwoWords();

    [GeneratedRegex(@"^[A-Z][a-z]+[.…!?]*$")]
    private static partial Regex CapitalizedWord();

    [GeneratedRegex(@"^\s+[A-Za-z]{2,}|[A-Za-z]{2,}\s+$")]
    private static partial Regex WordSetOffBySpace();

    // Names the scripts compare with or look up, not words for readers: KeyboardEvent.key values and a global.
    private static readonly HashSet<string> CodeNames = ["Enter", "Escape", "Notification"];

    private static List<string> EnglishLiterals(string source) =>
        Parse(source).DescendantNodes(descendIntoChildren: node => !IsForDevelopersOrTheBrowser(node))
            .Select(node => node switch
            {
                StringLiteral literal => literal.Value,
                // A template's ${…} counts as a word: `and ${more} more` is prose too. The expressions inside are
                // walked on their own, so their strings are checked as well.
                TemplateLiteral template => string.Join("{…}", template.Quasis.Select(quasi => quasi.Value.Cooked)),
                _ => null,
            })
            .OfType<string>()
            .Where(IsEnglishProse)
            .ToList();

    // Where strings go to developers or the browser, never to readers: class lists ("btn btn-sm"), link types,
    // console messages, Error texts, media queries.
    private static bool IsForDevelopersOrTheBrowser(Node node) => node switch
    {
        AssignmentExpression { Left: MemberExpression { Computed: false, Property: Identifier { Name: "className" or "rel" } } } => true,
        CallExpression { Callee: MemberExpression { Object: Identifier { Name: "console" } } } => true,
        CallExpression { Callee: Identifier { Name: "matchMedia" } or MemberExpression { Computed: false, Property: Identifier { Name: "matchMedia" } } } => true,
        NewExpression { Callee: Identifier { Name: "Error" } } => true,
        _ => false,
    };

    private static bool IsEnglishProse(string literal) =>
        TwoWords().IsMatch(literal.Replace("{…}", "Xx", StringComparison.Ordinal))
            || (CapitalizedWord().IsMatch(literal) && !CodeNames.Contains(literal))
            || WordSetOffBySpace().IsMatch(literal);
}
