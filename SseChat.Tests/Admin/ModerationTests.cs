using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;
using SseChat.Web.Data;

namespace SseChat.Tests.Admin;

/// <summary>
/// A moderator removes messages: the removal is a persisted <c>delete</c> event seen live and on resume, the text is
/// gone from every page and endpoint, and every admin action lands in the audit log under the admin's name.
/// </summary>
public sealed class ModerationTests : ChatAppTests
{
    private static string RemovePath(long seq, string slug = "general") => $"admin/rooms/{slug}/messages/{seq}/remove";

    [Fact]
    public async Task Removing_a_message_sends_a_delete_event_live_and_its_text_is_gone_from_every_page()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "ann", "first");
        await client.SendAsync("general", "bob", "something offensive");
        await client.SendAsync("general", "ann", "third");
        await using var live = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");

        using var removed = await admin.PostAsync(RemovePath(2), acceptJson: true);

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        AssertDeleteEvent(await live.NextAsync(), seq: 4, messageSeq: 2);

        using var history = await client.Http.GetAsync("rooms/general/messages");
        var historyJson = await history.Content.ReadAsStringAsync();
        Assert.DoesNotContain("offensive", historyJson, StringComparison.Ordinal);
        Assert.Equal([1L, 3L], JsonSerializer.Deserialize<List<ChatMessage>>(historyJson, JsonSerializerOptions.Web)!.Select(m => m.Seq));

        using var roomPage = await client.Http.GetAsync("rooms/general");
        var roomHtml = await roomPage.Content.ReadAsStringAsync();
        Assert.DoesNotContain("offensive", roomHtml, StringComparison.Ordinal);
        var room = await ChatClient.ParseHtmlAsync(roomHtml);
        Assert.Equal(["1", "3"], room.QuerySelectorAll("#messages > li.message").Select(li => li.GetAttribute("data-seq")));
        Assert.Equal("4", room.GetElementById("room")!.GetAttribute("data-last-seq")); // the stream starts after the removal

        using var moderationPage = await admin.Http.GetAsync("admin/rooms/general/messages");
        var moderationHtml = await moderationPage.Content.ReadAsStringAsync();
        Assert.DoesNotContain("offensive", moderationHtml, StringComparison.Ordinal);
        var moderation = await ChatClient.ParseHtmlAsync(moderationHtml);
        var removedItem = moderation.QuerySelector("#moderated-messages li[data-seq='2']")!;
        Assert.StartsWith("Removed by root at ", removedItem.QuerySelector(".fst-italic")!.TextContent, StringComparison.Ordinal);
        Assert.Null(removedItem.QuerySelector("form")); // nothing left to remove
        Assert.NotNull(moderation.QuerySelector("#moderated-messages li[data-seq='1'] form"));

        var list = await admin.Client.GetDocumentAsync("admin");
        Assert.Equal("2", RoomLifecycleTests.Cell(RoomLifecycleTests.AdminRow(list, "general"), "messages"));

        await using var db = App.CreateDbContext();
        var message = await db.RoomEvents.SingleAsync(e => e.Seq == 2);
        Assert.Null(message.Text);
        Assert.Equal(("bob", "root"), (message.Author, message.RemovedBy));
        Assert.NotNull(message.RemovedAt);
        var removal = await db.RoomEvents.SingleAsync(e => e.Seq == 4);
        Assert.Equal((RoomEventKind.Delete, 2L), (removal.Kind, removal.MessageSeq));
    }

    [Fact]
    public async Task A_client_resuming_from_before_a_removed_message_gets_it_blank_and_marked_removed_then_the_delete_event()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "ann", "one");
        var secret = await client.SendAsync("general", "bob", "a secret");
        await client.SendAsync("general", "ann", "three");
        (await admin.PostAsync(RemovePath(secret.Seq), acceptJson: true)).Dispose();
        await client.SendAsync("general", "ann", "five");

        // Away since seq 1: the removed message keeps its place, blank, then the removal follows in order.
        await using var fromBefore = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", lastEventId: "1");
        var replayedRemoved = await fromBefore.NextAsync();
        var replayedThree = await fromBefore.NextAsync();
        var replayedDelete = await fromBefore.NextAsync();
        var replayedFive = await fromBefore.NextAsync();

        Assert.Equal((SseFrames.MessageEventType, "2"), (replayedRemoved.EventType, replayedRemoved.EventId));
        using (var json = JsonDocument.Parse(replayedRemoved.Data))
        {
            var data = json.RootElement;
            Assert.Equal(["seq", "author", "text", "sentAt", "removed"], data.EnumerateObject().Select(p => p.Name));
            Assert.Equal(2, data.GetProperty("seq").GetInt64());
            Assert.Equal("bob", data.GetProperty("author").GetString());
            Assert.Equal("", data.GetProperty("text").GetString());
            Assert.Equal(secret.SentAt, data.GetProperty("sentAt").GetDateTime().ToUniversalTime());
            Assert.True(data.GetProperty("removed").GetBoolean());
        }
        using (var json = JsonDocument.Parse(replayedThree.Data))
        {
            // A message that was not removed keeps the usual shape: no "removed" field at all.
            Assert.Equal(["seq", "author", "text", "sentAt"], json.RootElement.EnumerateObject().Select(p => p.Name));
        }
        Assert.Equal((3L, "three"), (SseSubscriber.ParseMessage(replayedThree).Seq, SseSubscriber.ParseMessage(replayedThree).Text));
        AssertDeleteEvent(replayedDelete, seq: 4, messageSeq: 2);
        Assert.Equal((5L, "five"), (SseSubscriber.ParseMessage(replayedFive).Seq, SseSubscriber.ParseMessage(replayedFive).Text));
        Assert.DoesNotContain("secret", string.Concat(new[] { replayedRemoved, replayedThree, replayedDelete, replayedFive }.Select(i => i.Data)), StringComparison.Ordinal);

        // Away since seq 3: it saw the message before its removal, and now gets the removal.
        await using var fromAfter = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", lastEventId: "3");
        AssertDeleteEvent(await fromAfter.NextAsync(), seq: 4, messageSeq: 2);
        Assert.Equal(5, SseSubscriber.ParseMessage(await fromAfter.NextAsync()).Seq);
    }

    [Fact]
    public async Task Removing_a_message_twice_is_harmless_and_adds_no_second_delete_event()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "ann", "regrettable");
        await using var live = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");

        using var first = await admin.PostAsync(RemovePath(1), acceptJson: true);
        AssertDeleteEvent(await live.NextAsync(), seq: 2, messageSeq: 1);
        using var again = await admin.PostAsync(RemovePath(1), acceptJson: true);
        using var againByForm = await admin.PostAsync(RemovePath(1));
        var after = await client.SendAsync("general", "ann", "moving on");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, againByForm.StatusCode);
        Assert.Equal(3, after.Seq);
        Assert.Equal(3, SseSubscriber.ParseMessage(await live.NextAsync()).Seq); // the next event is the message, not a repeat
        await using var db = App.CreateDbContext();
        Assert.Equal(1, await db.RoomEvents.CountAsync(e => e.Kind == RoomEventKind.Delete));
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == AuditAction.MessageRemoved));
    }

    [Fact]
    public async Task Removing_something_that_is_not_a_message_of_the_room_is_404_and_changes_nothing()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "ann", "a message");
        (await admin.PostAsync(RemovePath(1), acceptJson: true)).Dispose(); // seq 2 is now a delete event
        await App.AddRoomAsync("other");

        foreach (var path in new[] { RemovePath(99), RemovePath(0), RemovePath(2), RemovePath(1, "other"), RemovePath(1, "nowhere") })
        {
            using var asScript = await admin.PostAsync(path, acceptJson: true);
            using var asForm = await admin.PostAsync(path);
            Assert.True(asScript.StatusCode == HttpStatusCode.NotFound, $"{path} answered {(int)asScript.StatusCode}");
            Assert.True(asForm.StatusCode == HttpStatusCode.NotFound, $"{path} (form) answered {(int)asForm.StatusCode}");
        }

        await using var db = App.CreateDbContext();
        Assert.Equal(2, (await db.Rooms.SingleAsync(r => r.Slug == "general")).LastSeq);
        Assert.Equal(0, (await db.Rooms.SingleAsync(r => r.Slug == "other")).LastSeq);
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == AuditAction.MessageRemoved));
    }

    [Fact]
    public async Task Removing_from_the_moderation_page_without_script_redirects_back_to_it()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "ann", "please remove me");
        await client.SendAsync("general", "bob", "keep me");

        using var removed = await admin.SubmitFormAsync(
            "admin/rooms/general/messages", "#moderated-messages li[data-seq='1'] form");

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal("/admin/rooms/general/messages", RoomLifecycleTests.PathOf(removed));
        var page = await admin.Client.GetDocumentAsync("admin/rooms/general/messages");
        Assert.Equal("Message #1 removed.", page.QuerySelector(".alert[role=status]")?.TextContent.Trim());
        Assert.StartsWith("Removed by root", page.QuerySelector("#moderated-messages li[data-seq='1'] .fst-italic")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("keep me", page.QuerySelector("#moderated-messages li[data-seq='2'] .message-text")!.TextContent);
        var history = await client.Http.GetFromJsonAsync<List<ChatMessage>>("rooms/general/messages");
        Assert.Equal(["keep me"], history!.Select(m => m.Text));
    }

    [Fact]
    public async Task An_administrator_who_must_still_change_a_one_time_password_cannot_remove_messages()
    {
        using var visitor = App.CreateChatClient();
        var message = await visitor.SendAsync("general", "ann", "stays");
        await AdminSession.CreateAdministratorAsync(App, "newbie", "one-time-password-123", mustChange: true);
        using var client = App.CreateChatClient();
        (await AdminSession.SubmitLoginAsync(client, "newbie", "one-time-password-123")).Dispose();
        var page = await client.GetDocumentAsync("rooms/general");
        Assert.Empty(page.QuerySelectorAll(".message-remove"));
        var token = page.QuerySelector("form#composer input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        using var request = new HttpRequestMessage(HttpMethod.Post, RemovePath(message.Seq))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }),
        };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var history = await visitor.Http.GetFromJsonAsync<List<ChatMessage>>("rooms/general/messages");
        Assert.Equal(["stays"], history!.Select(m => m.Text));
    }

    [Fact]
    public async Task Room_page_offers_removal_to_a_signed_in_administrator_only()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var visitor = App.CreateChatClient();
        await visitor.SendAsync("general", "ann", "hello");

        var asAdmin = await admin.Client.GetDocumentAsync("rooms/general");
        var asVisitor = await visitor.GetDocumentAsync("rooms/general");

        Assert.Equal("/admin/rooms/general/messages", asAdmin.GetElementById("room")!.GetAttribute("data-moderation-url"));
        Assert.NotNull(asAdmin.QuerySelector("#messages li[data-seq='1'] .message-remove"));
        // Rendered empty for a visitor (Razor keeps data- attributes), which room.js reads as "no moderation".
        Assert.Equal("", asVisitor.GetElementById("room")!.GetAttribute("data-moderation-url") ?? "");
        Assert.Null(asVisitor.QuerySelector(".message-remove"));
    }

    // Audit

    [Fact]
    public async Task Audit_log_lists_every_admin_action_newest_first_under_the_administrators_name()
    {
        using var admin = await AdminSession.SignInAsync(App, "moderator-ann");
        using var client = App.CreateChatClient();

        (await admin.SubmitFormAsync("admin/rooms/new", "form#room-form", new Dictionary<string, string>
        {
            ["Name"] = "Audited",
            ["Slug"] = "audited",
        })).Dispose();
        (await admin.SubmitFormAsync("admin/rooms/audited/edit", "form[action='/admin/rooms/audited/edit']", new Dictionary<string, string>
        {
            ["Name"] = "Audited room",
        })).Dispose();
        var message = await client.SendAsync("audited", "bob", "to be removed"); // seq 2, after the edit's room event
        using (var removed = await admin.PostAsync(RemovePath(message.Seq, "audited"), acceptJson: true))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }
        (await admin.PostAsync("admin/rooms/audited/archive")).Dispose();
        (await admin.PostAsync("admin/rooms/audited/unarchive")).Dispose();
        (await admin.SubmitFormAsync("admin/rooms/audited/delete", "form[action='/admin/rooms/audited/delete']", new Dictionary<string, string>
        {
            ["ConfirmSlug"] = "audited",
        })).Dispose();

        var page = await admin.Client.GetDocumentAsync("admin/audit");

        var rows = page.QuerySelectorAll("#audit tbody tr")
            .Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList())
            .ToList();
        var actions = page.QuerySelectorAll("#audit tbody td[data-action]").Select(td => td.GetAttribute("data-action"));
        Assert.Equal(
            [
                nameof(AuditAction.RoomDeleted),
                nameof(AuditAction.RoomUnarchived),
                nameof(AuditAction.RoomArchived),
                nameof(AuditAction.MessageRemoved),
                nameof(AuditAction.RoomEdited),
                nameof(AuditAction.RoomCreated),
                nameof(AuditAction.SignedIn),
            ],
            actions);
        Assert.Equal(["Room deleted", "Room unarchived"], rows.Take(2).Select(cells => cells[2]));
        Assert.All(rows, cells => Assert.Equal("moderator-ann", cells[1]));
        Assert.Equal(["audited", "audited", "audited", "audited#2", "audited", "audited", ""], rows.Select(cells => cells[3]));
        // Worded as a reader reads it: the removed message's author wrote it, the actor removed it.
        Assert.Equal("Name: Audited room", rows[4][4]);
        Assert.Equal("Written by bob", rows[3][4]);
        Assert.All(rows, cells => Assert.True(
            DateTime.TryParseExact(cells[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            $"'{cells[0]}' is not a time"));
    }

    private static void AssertDeleteEvent(SseItem<string> item, long seq, long messageSeq)
    {
        Assert.Equal(SseFrames.DeleteEventType, item.EventType);
        Assert.Equal(seq.ToString(CultureInfo.InvariantCulture), item.EventId);
        Assert.Equal($$"""{"seq":{{seq}},"messageSeq":{{messageSeq}}}""", item.Data);
    }
}
