using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SseChat.Tests.Infrastructure;

namespace SseChat.Tests.Operations;

/// <summary>/healthz says the process answers; /readyz says its database is there and fully migrated.</summary>
public sealed class HealthEndpointsTests : IAsyncLifetime
{
    // No pooled connections: once the test breaks the database file, every check opens it afresh, as after a restart.
    private readonly ChatApplication app = new(new Dictionary<string, string?>(), connectionOptions: "Pooling=False");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_endpoints_answer_Healthy_to_an_anonymous_client(string path)
    {
        using var client = app.CreateChatClient();

        using var response = await client.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache == true || response.Headers.CacheControl?.NoStore == true);
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task Readyz_answers_503_Unhealthy_when_the_database_file_is_garbage_while_healthz_stays_up()
    {
        using var client = app.CreateChatClient();
        using (var ready = await client.Http.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // The file is overwritten by something that is not a database (a botched copy or restore).
        foreach (var sidecar in new[] { "-wal", "-shm" })
        {
            File.Delete(app.DatabasePath + sidecar);
        }
        await File.WriteAllBytesAsync(app.DatabasePath, [.. Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i * 7 % 251))]);

        using var notReady = await client.Http.GetAsync("/readyz");
        using var alive = await client.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        // Only the status word: no exception text, no file name, no check names.
        Assert.Equal("Unhealthy", await notReady.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal("Healthy", await alive.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_answers_503_while_a_migration_is_not_applied()
    {
        using var client = app.CreateChatClient();

        // The database loses the record of its newest migration, as a copy from an older version of the app would.
        _ = app.BaseAddress; // started, so migrated
        await using (var db = app.CreateDbContext())
        {
            // Quoted names: PostgreSQL folds unquoted ones to lower case, SQLite takes either.
            Assert.Equal(1, await db.Database.ExecuteSqlRawAsync("""
                DELETE FROM "__EFMigrationsHistory"
                WHERE "MigrationId" = (SELECT MAX("MigrationId") FROM "__EFMigrationsHistory")
                """));
        }

        using var notReady = await client.Http.GetAsync("/readyz");
        using var alive = await client.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("Unhealthy", await notReady.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public void Health_endpoints_allow_anonymous_callers_and_are_exempt_from_rate_limits()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is "/healthz" or "/readyz")
            .ToList();

        Assert.Equal(2, endpoints.Count);
        Assert.All(endpoints, endpoint =>
        {
            Assert.NotNull(endpoint.Metadata.GetMetadata<IAllowAnonymous>());
            Assert.NotNull(endpoint.Metadata.GetMetadata<DisableRateLimitingAttribute>());
        });
    }
}
