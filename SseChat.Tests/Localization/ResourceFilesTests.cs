using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Resources;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseChat.Tests.Web;
using SseChat.Web.Data;
using SseChat.Web.Operations;

namespace SseChat.Tests.Localization;

/// <summary>
/// Every piece of SseChat's own text exists in English and in Simplified Chinese. Read from the built assembly and
/// its zh-Hans satellite, so what is checked is what the app serves, not only what the .resx files say.
/// </summary>
public sealed partial class ResourceFilesTests
{
    private const string ResourcePrefix = "SseChat.Web.Resources.";
    private static readonly Assembly Web = typeof(Program).Assembly;
    private static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-Hans");

    [Fact]
    public void Every_resource_has_the_same_keys_in_English_and_Chinese()
    {
        var english = NeutralResources();
        var chinese = ChineseResources();
        Assert.Contains("Views.Rooms.Show", english.Keys);
        Assert.Contains("Localization.ValidationMessages", english.Keys);

        var problems = new List<string>();
        foreach (var name in english.Keys.Union(chinese.Keys).Order(StringComparer.Ordinal))
        {
            IEnumerable<string> englishKeys = (IEnumerable<string>?)english.GetValueOrDefault(name)?.Keys ?? [];
            IEnumerable<string> chineseKeys = (IEnumerable<string>?)chinese.GetValueOrDefault(name)?.Keys ?? [];
            problems.AddRange(englishKeys.Except(chineseKeys).Select(key => $"{name}: '{key}' has no Chinese"));
            problems.AddRange(chineseKeys.Except(englishKeys).Select(key => $"{name}: '{key}' has no English"));
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Each_translation_keeps_the_placeholders_of_its_English_and_is_Chinese()
    {
        var chinese = ChineseResources();
        var problems = new List<string>();
        foreach (var (name, entries) in NeutralResources())
        {
            foreach (var (key, englishText) in entries)
            {
                if (chinese.GetValueOrDefault(name)?.GetValueOrDefault(key) is not { } chineseText)
                {
                    continue; // the test above reports it
                }
                if (!Placeholders(englishText).SetEquals(Placeholders(chineseText)))
                {
                    problems.Add($"{name}: '{key}' has placeholders {Describe(englishText)} in English, {Describe(chineseText)} in Chinese");
                }
                // An English sentence copied into the Chinese file is a missing translation that would pass unseen.
                // Chinese without words of its own ("{author}（{room}）") is fine, as long as it holds no English.
                if (!ChineseCharacter().IsMatch(chineseText) && LatinWord().IsMatch(Words(chineseText)))
                {
                    problems.Add($"{name}: '{key}' is not translated: \"{chineseText}\"");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void English_status_titles_are_the_framework_s_own_so_English_answers_read_as_before()
    {
        var problemText = NeutralResources()["Localization.ProblemText"];
        using var services = new ServiceCollection().AddControllers().Services.BuildServiceProvider();
        var configured = services.GetRequiredService<IOptions<ApiBehaviorOptions>>().Value.ClientErrorMapping;
        var statusTitles = problemText.Where(entry => entry.Key.StartsWith("Status", StringComparison.Ordinal)).ToList();
        var clientErrorTitles = problemText.Where(entry => entry.Key.StartsWith("ClientError", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(statusTitles);
        Assert.NotEmpty(clientErrorTitles);

        foreach (var (key, title) in statusTitles)
        {
            Assert.Equal(ReasonPhrases.GetReasonPhrase(int.Parse(key["Status".Length..], CultureInfo.InvariantCulture)), title);
        }
        foreach (var (key, title) in clientErrorTitles)
        {
            Assert.Equal(configured[int.Parse(key["ClientError".Length..], CultureInfo.InvariantCulture)].Title, title);
        }
    }

    [Fact]
    public void Every_audit_action_and_post_rejection_has_a_label()
    {
        var english = NeutralResources();
        Assert.All(Enum.GetNames<AuditAction>(), action => Assert.Contains($"Action{action}", english["Views.AdminAudit.Index"].Keys));
        Assert.All(Enum.GetNames<PostRejection>(), rejection => Assert.Contains($"Rejected{rejection}", english["Views.AdminRooms._LiveFigures"].Keys));
    }

    [Fact]
    public void Every_key_a_view_asks_for_exists()
    {
        var views = Path.Combine(LibManTests.RepositoryRoot(), "SseChat.Web", "Views");
        var english = NeutralResources();
        var problems = new List<string>();
        var asked = 0;
        foreach (var view in Directory.EnumerateFiles(views, "*.cshtml", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Path.GetDirectoryName(views)!, view);
            var resource = Path.ChangeExtension(relative, null).Replace(Path.DirectorySeparatorChar, '.');
            // Both keys of Localizer[condition ? "A" : "B"] too; keys built at run time have their own test above.
            var keys = ViewLocalizerUse().Matches(File.ReadAllText(view))
                .SelectMany(use => StringLiteral().Matches(use.Groups["arguments"].Value.Split(',')[0]))
                .Select(literal => literal.Groups["text"].Value);
            foreach (var key in keys)
            {
                asked++;
                if (english.GetValueOrDefault(resource)?.ContainsKey(key) != true)
                {
                    problems.Add($"{relative} asks for '{key}', which Resources/{resource.Replace('.', '/')}.resx lacks");
                }
            }
        }
        Assert.True(asked > 90, $"Only {asked} localized strings found in the views; the pattern no longer matches them.");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Every_key_the_code_asks_for_exists()
    {
        var code = Path.Combine(LibManTests.RepositoryRoot(), "SseChat.Web");
        var english = NeutralResources();
        var problems = new List<string>();
        var asked = 0;
        foreach (var file in Directory.EnumerateFiles(code, "*.cs", SearchOption.AllDirectories)
                     .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                                    && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var source = File.ReadAllText(file);
            var uses = new List<(string Resource, string Key)>();
            // IStringLocalizer<T> text ... text["Key", ...] (also both keys of text[condition ? "A" : "B"]).
            foreach (Match localizer in LocalizerDeclaration().Matches(source))
            {
                var resource = ResourceOf(localizer.Groups["type"].Value);
                var indexer = new Regex($@"\b{Regex.Escape(localizer.Groups["name"].Value)}\[(?<arguments>[^\]]+)\]");
                foreach (Match use in indexer.Matches(source))
                {
                    var keys = StringLiteral().Matches(use.Groups["arguments"].Value.Split(',')[0]);
                    uses.AddRange(keys.Select(key => (resource, key.Groups["text"].Value)));
                }
            }
            // Validation attributes and [Display] names are keys in ValidationMessages, as are validationContext.Localized("Key").
            foreach (Match use in ValidationKeyUse().Matches(source))
            {
                uses.Add(("Localization.ValidationMessages", use.Groups["key"].Value));
            }
            foreach (var (resource, key) in uses.Distinct())
            {
                asked++;
                if (english.GetValueOrDefault(resource)?.ContainsKey(key) != true)
                {
                    problems.Add($"{Path.GetFileName(file)} asks for '{key}', which Resources/{resource.Replace('.', '/')}.resx lacks");
                }
            }
        }
        Assert.True(asked > 60, $"Only {asked} localized strings found in the code; the patterns no longer match them.");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>Resource name (e.g. "Controllers.RoomsController") of a class, as ResourceManagerStringLocalizerFactory finds it.</summary>
    private static string ResourceOf(string typeName)
    {
        var type = Web.GetTypes().Single(type => type.Name == typeName && type.Namespace?.StartsWith("SseChat.Web", StringComparison.Ordinal) == true);
        return type.FullName!["SseChat.Web.".Length..];
    }

    private static Dictionary<string, Dictionary<string, string>> NeutralResources() => Read(Web, ".resources");

    private static Dictionary<string, Dictionary<string, string>> ChineseResources() =>
        Read(Web.GetSatelliteAssembly(Chinese), $".{Chinese.Name}.resources");

    private static Dictionary<string, Dictionary<string, string>> Read(Assembly assembly, string suffix) =>
        assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(suffix, StringComparison.Ordinal))
            .ToDictionary(
                name => name[ResourcePrefix.Length..^suffix.Length],
                name =>
                {
                    using var reader = new ResourceReader(assembly.GetManifestResourceStream(name)!);
                    return reader.Cast<DictionaryEntry>().ToDictionary(entry => (string)entry.Key, entry => (string)entry.Value!);
                });

    /// <summary>The text without placeholders and without the product's name, which is the same in every language.</summary>
    private static string Words(string text) => Placeholder().Replace(text, "").Replace("SseChat", "", StringComparison.Ordinal);

    private static HashSet<string> Placeholders(string text) => Placeholder().Matches(text).Select(match => match.Value).ToHashSet();

    private static string Describe(string text) => "[" + string.Join(" ", Placeholders(text).Order(StringComparer.Ordinal)) + "]";

    [GeneratedRegex(@"\{[^{}]+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"[A-Za-z]{2,}")]
    private static partial Regex LatinWord();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex ChineseCharacter();

    [GeneratedRegex(@"Localizer\[(?<arguments>[^\]]+)\]")]
    private static partial Regex ViewLocalizerUse();

    [GeneratedRegex(@"IStringLocalizer<(?<type>\w+)>\s+(?<name>\w+)")]
    private static partial Regex LocalizerDeclaration();

    // Not an interpolated string: a key built at run time ($"Status{status}") cannot be checked here.
    [GeneratedRegex(@"(?<!\$)""(?<text>[^""]+)""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"(?:ErrorMessage|Display\(Name)\s*=\s*""(?<key>[^""]+)""|\.Localized\(\s*""(?<key>[^""]+)""")]
    private static partial Regex ValidationKeyUse();
}
