using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;

namespace SseChat.Tests.Admin;

/// <summary>The admin mark on messages comes from the admin sign-in cookie alone, never from what a form says.</summary>
public sealed class AdminMarkTests : ChatAppTests
{
    [Fact]
    public async Task A_signed_in_administrator_posts_with_the_admin_mark_everywhere_the_message_appears()
    {
        using var admin = await AdminSession.SignInAsync(App);
        await using var live = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", after: "0");

        using var response = await admin.Client.PostMessageAsync("general", "The Admin", "Welcome, everyone.");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using (var posted = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.True(posted.RootElement.GetProperty("admin").GetBoolean());
        }
        var streamed = await live.NextAsync();
        Assert.Contains("\"admin\":true", streamed.Data, StringComparison.Ordinal);
        using var visitor = App.CreateChatClient();
        var history = await visitor.GetWholeHistoryAsync("general");
        Assert.True(Assert.Single(history).Admin);
        var page = await visitor.GetDocumentAsync("rooms/general");
        var badge = page.QuerySelector("#messages li.message .message-admin");
        Assert.NotNull(badge);
        Assert.False(badge.HasAttribute("hidden"));
    }

    [Fact]
    public async Task A_visitor_cannot_claim_the_mark_with_a_forged_form_field()
    {
        using var visitor = App.CreateChatClient();
        var (_, fields) = await visitor.GetComposeFormAsync("general");
        var body = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = fields["__RequestVerificationToken"],
            ["author"] = "eve",
            ["text"] = "Trust me, I am the admin.",
            ["admin"] = "true",
            ["AuthorIsAdmin"] = "true",
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "rooms/general/messages") { Content = new FormUrlEncodedContent(body) };
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await visitor.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using (var posted = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.False(posted.RootElement.TryGetProperty("admin", out _));
        }
        await using var db = App.CreateDbContext();
        Assert.False((await db.RoomEvents.SingleAsync()).AuthorIsAdmin);
        var page = await visitor.GetDocumentAsync("rooms/general");
        Assert.True(page.QuerySelector("#messages li.message .message-admin")!.HasAttribute("hidden"));
    }

    [Fact]
    public async Task An_administrator_who_must_still_change_a_one_time_password_posts_without_the_mark()
    {
        await AdminSession.CreateAdministratorAsync(App, "fresh", AdminSession.DefaultPassword, mustChange: true);
        using var client = App.CreateChatClient();
        using (var signedIn = await AdminSession.SubmitLoginAsync(client, "fresh", AdminSession.DefaultPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        // Under a name of their own: as a visitor, "fresh" is an administrator's name they may not use yet.
        var message = await client.SendAsync("general", "Fresh Face", "hello");

        Assert.False(message.Admin);
    }
}
