using System.Text.Json;

namespace SseChat.Tests.Web;

/// <summary>No CDN is reachable, so the files libman.json describes are committed; this keeps the two in step.</summary>
public sealed class LibManTests
{
    [Fact]
    public void Every_file_libman_json_lists_is_committed_where_libman_places_it()
    {
        var webRoot = Path.Combine(RepositoryRoot(), "SseChat.Web");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(webRoot, "libman.json")));

        var libraries = manifest.RootElement.GetProperty("libraries").EnumerateArray().ToList();
        Assert.NotEmpty(libraries);
        Assert.Contains(libraries, l => l.GetProperty("library").GetString()!.StartsWith("bootstrap@5.", StringComparison.Ordinal));
        foreach (var library in libraries)
        {
            var destination = library.GetProperty("destination").GetString()!;
            var files = library.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
            Assert.NotEmpty(files);
            foreach (var file in files)
            {
                var path = Path.Combine(webRoot, destination, file);
                Assert.True(File.Exists(path), $"{library.GetProperty("library")} lists {file}, but {path} is missing");
                Assert.True(new FileInfo(path).Length > 0, $"{path} is empty");
            }
        }
    }

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "SseChat.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("SseChat.sln not found above the test output folder.");
    }
}
