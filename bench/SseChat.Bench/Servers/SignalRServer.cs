using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.SignalR;

namespace SseChat.Bench.Servers;

/// <summary>
/// Baseline 2: the same room broadcast as a SignalR hub, the usual .NET answer for real-time chat. Clients join
/// the room's group, posts go to the group, and a reconnecting client asks for what it missed (kept in memory,
/// as SignalR itself keeps nothing).
/// </summary>
internal static class SignalRServer
{
    public const string HubPath = "/hub";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // The log levels SseChat's appsettings.json sets: no log line per request.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<SignalRRoomHistory>();
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.MapHub<ChatHub>(HubPath);
        await app.RunAsync();
        return 0;
    }
}

internal sealed class SignalRRoomHistory
{
    private readonly Lock gate = new();
    private readonly List<BenchMessage> messages = [];

    public BenchMessage Append(string author, string text)
    {
        lock (gate)
        {
            var message = new BenchMessage(messages.Count + 1, author, text, DateTime.UtcNow);
            messages.Add(message);
            return message;
        }
    }

    public List<BenchMessage> After(long seq)
    {
        lock (gate)
        {
            return seq >= 0 && seq < messages.Count ? messages[(int)seq..] : [];
        }
    }
}

internal sealed class ChatHub(SignalRRoomHistory history) : Hub
{
    public const string MessageMethod = "message";

    public Task Join(string room) => Groups.AddToGroupAsync(Context.ConnectionId, room);

    /// <summary>Returns once the message is handed to every member's connection, like SseChat's 201.</summary>
    public async Task<long> Post(string room, string author, string text)
    {
        var message = history.Append(author, text);
        await Clients.Group(room).SendAsync(MessageMethod, message);
        return message.Seq;
    }

    public List<BenchMessage> History(long after) => history.After(after);
}
