using SseChat.Web.Admin;
using SseChat.Web.Backplane;
using SseChat.Web.Chat;
using SseChat.Web.Data;
using SseChat.Web.Extensions;
using SseChat.Web.Localization;
using SseChat.Web.Operations;
using SseChat.Web.Security;

var builder = WebApplication.CreateBuilder(args);

// Messages live in a SQLite file (ConnectionStrings:Chat), migrated at start-up.
builder.AddChatDatabase();

// Rooms, posting, the single sequencing writer, fan-out and the SSE streams.
builder.AddChat();

// How the nodes of a fleet hear about each other's events and visitors: in-process (one node) or Redis.
builder.AddBackplane();

// The admin area: cookie sign-in, the administrator policy, rate-limited sign-in.
builder.AddAdmin();

// Kestrel:Limits (body, request line, headers) applied to Kestrel and the form reader, validated at start.
builder.AddRequestLimits();

// Per-client rate limits of posts and new streams (RateLimits), answered with 429, Retry-After and ProblemDetails.
builder.AddRateLimits();

// Content-Security-Policy and friends on every response; HSTS over HTTPS (SecurityHeaders).
builder.AddSecurityHeaders();

// Antiforgery and TempData cookies are Secure over HTTPS, like the admin session's; AllowedHosts (appsettings.json)
// names the hosts answered, localhost only until a deployment names its own (docs/deploy.md).
builder.AddSecureCookies();

// Gzip/Brotli for pages and JSON over plain HTTP; never for text/event-stream, which is not in its list of types
// (a compressor would hold events back), and never over HTTPS, where pages with tokens would invite BREACH.
builder.Services.AddResponseCompression();

// Behind nginx: believe X-Forwarded-For/-Proto from ReverseProxy:KnownProxies only (docs/deploy.md).
builder.AddReverseProxySupport();

// wwwroot served whole whether published or run from the build output, in any environment (docs/deploy.md).
builder.AddStaticAssets();

// Health checks, the SseChat meter, and OpenTelemetry export when OpenTelemetry:OtlpEndpoint is set.
builder.AddOperations();

var app = builder.Build();

// `dotnet run --project SseChat.Web -- backup <file>` copies the database and exits; it runs before the migrations
// so that it only ever reads the database it copies (see docs/backup.md).
if (await app.TryRunBackupCommandAsync(args))
{
    return;
}

await app.MigrateChatDatabaseAsync();

// `dotnet run --project SseChat.Web -- admin set-password <name>` runs and exits instead of serving.
if (await app.TryRunAdminCommandAsync(args))
{
    return;
}

// `dotnet run --project SseChat.Web -- epoch renew` marks a database restored by other means than `backup` as a new
// history (docs/backup.md) and exits.
if (await app.TryRunEpochCommandAsync(args))
{
    return;
}

// wwwroot with its gzip/Brotli copies. Mapped this early because it refuses to start the server if the web root
// lacks any of them, and it should do so before a first administrator's one-time password is printed and spent.
app.MapCheckedStaticAssets();

// A fresh database gets an administrator with a one-time password, printed once to the log.
await app.EnsureAnAdministratorExistsAsync();

// Administrators' names, and look-alikes of them, are refused to visitors (docs/protocol.md, "Display names").
await app.LoadAdministratorNamesAsync();

// First, so that everything below sees the client's real address and scheme.
app.UseReverseProxySupport();

// English or Simplified Chinese: the switcher's cookie, else Accept-Language, else English (docs/localization.md).
app.UseChatLocalization();

// Unhandled exceptions and empty error responses become ProblemDetails (or an error page for browsers).
app.UseExceptionHandler();
app.UseStatusCodePagesWithReExecute("/errors/{0}");
app.UseSecurityHeaders();
app.UseResponseCompression();

// A urlencoded form can be read twice: once by the framework, once raw for percent-encoded bytes that are not UTF-8.
app.UseRereadableUrlEncodedForms();

app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapControllers();
app.MapHealthEndpoints();

await app.RunAsync();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
