using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using SseChat.Bench.Servers;

namespace SseChat.Bench.Load;

/// <summary>One connected listener of the room, as a browser tab (SSE) or a SignalR client would be.</summary>
internal interface ISubscriberClient : IAsyncDisposable
{
    SubscriberState State { get; }

    /// <summary>Completes once the server has taken the subscriber in; deliveries then flow to the tracker.</summary>
    Task ConnectAsync(long? resumeAfter, CancellationToken cancellationToken);
}

/// <summary>An EventSource's work: GET /stream/{slug} (with Last-Event-ID when resuming), parsed with SseParser.</summary>
internal sealed class SseSubscriberClient(HttpClient http, Uri streamUrl, DeliveryTracker tracker, SubscriberState state)
    : ISubscriberClient
{
    private readonly CancellationTokenSource stop = new();
    private Task receiving = Task.CompletedTask;

    public SubscriberState State => state;

    public async Task ConnectAsync(long? resumeAfter, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, streamUrl);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (resumeAfter is { } after)
        {
            request.Headers.Add("Last-Event-ID", after.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop.Token);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        try
        {
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsStreamAsync(linked.Token);
            state.Connected = true;
            receiving = ReceiveAsync(response, body);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task ReceiveAsync(HttpResponseMessage response, Stream body)
    {
        try
        {
            var parser = SseParser.Create(body, static (_, data) => Delivery.FromJson(data));
            await foreach (var item in parser.EnumerateAsync(stop.Token))
            {
                tracker.Record(state, item.Data);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
            // closed by us, or the server dropped the connection: the missing deliveries will show
        }
        finally
        {
            state.Connected = false;
            await body.DisposeAsync();
            response.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await receiving;
        stop.Dispose();
    }
}

/// <summary>
/// The official SignalR client over WebSockets, its socket bound to the load process's source address; joins the
/// room's group and, when resuming, asks the hub for what it missed.
/// </summary>
internal sealed class SignalRSubscriberClient : ISubscriberClient
{
    private readonly HubConnection connection;
    private readonly DeliveryTracker tracker;

    public SignalRSubscriberClient(HttpMessageInvoker invoker, Uri hubUrl, DeliveryTracker tracker, SubscriberState state)
    {
        this.tracker = tracker;
        State = state;
        connection = new HubConnectionBuilder()
            .WithUrl(hubUrl, HttpTransportType.WebSockets, options =>
            {
                options.SkipNegotiation = true;
                options.WebSocketFactory = async (context, cancellationToken) =>
                {
                    var socket = new ClientWebSocket();
                    await socket.ConnectAsync(context.Uri, invoker, cancellationToken);
                    return socket;
                };
            })
            .Build();
        connection.On<BenchMessage>(ChatHub.MessageMethod, message => Receive(message));
        connection.Closed += _ =>
        {
            State.Connected = false;
            return Task.CompletedTask;
        };
    }

    public SubscriberState State { get; }

    public async Task ConnectAsync(long? resumeAfter, CancellationToken cancellationToken)
    {
        await connection.StartAsync(cancellationToken);
        await connection.InvokeAsync(nameof(ChatHub.Join), InMemoryServer.RoomSlug, cancellationToken);
        State.Connected = true;
        if (resumeAfter is { } after)
        {
            foreach (var message in await connection.InvokeAsync<List<BenchMessage>>(
                nameof(ChatHub.History), after, cancellationToken))
            {
                Receive(message);
            }
        }
    }

    private void Receive(BenchMessage message) =>
        tracker.Record(State, new Delivery(message.Seq, Stamp.Parse(message.Text)));

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
