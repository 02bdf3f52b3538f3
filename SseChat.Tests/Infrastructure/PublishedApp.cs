using System.Diagnostics;
using System.Reflection;
using SseChat.Tests.Web;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// SseChat.Web published into a temp folder, as docs/deploy.md does (<c>dotnet publish -o</c>), once for a test class.
/// It publishes the build the tests run against (<c>--no-build</c>, same configuration), which saves compiling it
/// again; the publish steps themselves (the publish manifest, the precompressed copies in wwwroot) all run.
/// </summary>
public sealed class PublishedApp : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ssechat-published-");

    /// <summary>The published app: SseChat.Web.dll, appsettings.json, wwwroot.</summary>
    public string Folder => folder.FullName;

    public async Task InitializeAsync()
    {
        var project = Path.Combine(LibManTests.RepositoryRoot(), "SseChat.Web", "SseChat.Web.csproj");
        var configuration = typeof(PublishedApp).Assembly
            .GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var startInfo = new ProcessStartInfo(ChatServerProcess.DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // No build servers or MSBuild nodes left running after the test.
        string[] arguments =
        [
            "publish", project, "-c", configuration, "--no-build", "-o", Folder,
            "--nologo", "--disable-build-servers", "-nodeReuse:false",
        ];
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {startInfo.FileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish did not finish within {PublishTimeout.TotalMinutes:0} min.\n{await output}{await errors}");
        }
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(Folder, "SseChat.Web.dll")))
        {
            throw new InvalidOperationException(
                $"dotnet publish {project} failed with exit code {process.ExitCode}. Build the solution first.\n{await output}{await errors}");
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; failing the tests over it is not.
        }
        return Task.CompletedTask;
    }
}
