using SseChat.Web.Chat;
using SseChat.Web.Data;

var builder = WebApplication.CreateBuilder(args);

// Messages live in a SQLite file (ConnectionStrings:Chat), migrated at start-up.
builder.AddChatDatabase();

// Rooms, posting, the single sequencing writer, fan-out and the SSE streams.
builder.AddChat();

var app = builder.Build();

await app.MigrateChatDatabaseAsync();

// Unhandled exceptions and empty error responses become ProblemDetails (or an error page for browsers).
app.UseExceptionHandler();
app.UseStatusCodePagesWithReExecute("/errors/{0}");

app.MapStaticAssets();
app.MapControllers();

await app.RunAsync();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
