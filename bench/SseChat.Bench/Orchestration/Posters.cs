using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.SignalR.Client;
using SseChat.Bench.Load;
using SseChat.Bench.Servers;

namespace SseChat.Bench.Orchestration;

/// <summary>One person posting into the room, one message at a time.</summary>
internal interface IPoster : IAsyncDisposable
{
    /// <summary>The stored message's seq, or null when the server did not accept it.</summary>
    Task<long?> PostAsync(string text, CancellationToken cancellationToken);
}

internal static class Posters
{
    public static async Task<IPoster> CreateAsync(string kind, Uri baseUrl, string author)
    {
        IPoster poster = kind switch
        {
            _ when ServerKinds.IsSseChat(kind) => await SseChatPoster.CreateAsync(baseUrl, author),
            ServerKinds.Memory => new FormPoster(new HttpClient { BaseAddress = baseUrl }, author, token: null),
            _ => await SignalRPoster.CreateAsync(baseUrl, author),
        };
        return poster;
    }
}

/// <summary>
/// Posts the compose form as a browser's script does: fields plus the antiforgery token, Accept: application/json,
/// expecting 201 Created with the stored message.
/// </summary>
internal sealed class FormPoster(HttpClient http, string author, string? token) : IPoster
{
    public async Task<long?> PostAsync(string text, CancellationToken cancellationToken)
    {
        var fields = new List<KeyValuePair<string, string>> { new("author", author), new("text", text) };
        if (token is not null)
        {
            // SseChat's compose script sends the form's token and a fresh clientMessageId with every draft.
            fields.Add(new("__RequestVerificationToken", token));
            fields.Add(new("clientMessageId", Guid.NewGuid().ToString("N")));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, $"rooms/{InMemoryServer.RoomSlug}/messages")
        {
            Content = new FormUrlEncodedContent(fields),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return null;
        }
        var message = await response.Content.ReadFromJsonAsync(BenchJsonContext.Default.BenchMessage, cancellationToken);
        return message?.Seq;
    }

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>SseChat's poster first loads the room page, as a browser does, for the antiforgery cookie and token.</summary>
internal sealed class SseChatPoster
{
    public static async Task<IPoster> CreateAsync(Uri baseUrl, string author)
    {
        var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer() }) { BaseAddress = baseUrl };
        var html = await http.GetStringAsync($"rooms/{InMemoryServer.RoomSlug}");
        var page = (IHtmlDocument)await BrowsingContext.New(Configuration.Default).OpenAsync(request => request.Content(html));
        var token = page.QuerySelector<IHtmlInputElement>("form#composer input[name=__RequestVerificationToken]")?.Value
            ?? throw new InvalidOperationException("The room page has no compose form with an antiforgery token.");
        return new FormPoster(http, author, token);
    }
}

/// <summary>
/// The SignalR client invoking the hub's Post, which answers once the group send is done. A hub runs one client
/// connection's invocations one after another, so a poster takes a few connections in turn: paced posts, which go
/// out without waiting for the previous answer, then reach the hub as several users' posts would, as SseChat's
/// HTTP posts do over several connections.
/// </summary>
internal sealed class SignalRPoster(HubConnection[] connections, string author) : IPoster
{
    private const int Connections = 4;
    private int next;

    public static async Task<IPoster> CreateAsync(Uri baseUrl, string author)
    {
        var connections = new HubConnection[Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            connections[i] = new HubConnectionBuilder()
                .WithUrl(new Uri(baseUrl, SignalRServer.HubPath), Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets,
                    options => options.SkipNegotiation = true)
                .Build();
            await connections[i].StartAsync();
        }
        return new SignalRPoster(connections, author);
    }

    public async Task<long?> PostAsync(string text, CancellationToken cancellationToken)
    {
        var connection = connections[(uint)Interlocked.Increment(ref next) % connections.Length];
        return await connection.InvokeAsync<long>(nameof(ChatHub.Post), InMemoryServer.RoomSlug, author, text, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }
}
