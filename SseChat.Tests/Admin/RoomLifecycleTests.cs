using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Chat;
using SseChat.Web.Data;

namespace SseChat.Tests.Admin;

/// <summary>
/// An administrator creates, edits, archives, unarchives and deletes rooms through the admin forms, and the rest of
/// the app (home page, room page, history, live and resumed streams) follows, over real HTTP and real SSE.
/// </summary>
public sealed class RoomLifecycleTests : ChatAppTests
{
    private const string CreateForm = "form#room-form";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static string EditForm(string slug) => $"form[action='/admin/rooms/{slug}/edit']";

    private static string DeleteForm(string slug) => $"form[action='/admin/rooms/{slug}/delete']";

    private static Task<HttpResponseMessage> CreateRoomAsync(AdminSession admin, string name, string slug = "", string topic = "") =>
        admin.SubmitFormAsync("admin/rooms/new", CreateForm, new Dictionary<string, string>
        {
            ["Name"] = name,
            ["Slug"] = slug,
            ["Topic"] = topic,
        });

    // Create

    [Fact]
    public async Task Creating_a_room_derives_the_slug_from_the_name_or_keeps_the_one_given_and_lists_it()
    {
        using var admin = await AdminSession.SignInAsync(App);
        var longestSlug = new string('z', Room.SlugMaxLength);

        using var derived = await CreateRoomAsync(admin, "Café Talk!", topic: "Coffee, mostly");
        using var explicitSlug = await CreateRoomAsync(admin, "Release planning", slug: "releases");
        using var longest = await CreateRoomAsync(admin, "Zzz", slug: longestSlug);

        foreach (var response in new[] { derived, explicitSlug, longest })
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/admin", PathOf(response));
        }

        using var visitor = App.CreateChatClient();
        var home = await visitor.GetDocumentAsync("");
        var links = home.QuerySelectorAll("#rooms a").ToDictionary(a => a.GetAttribute("href")!, a => a);
        Assert.Equal(["/rooms/cafe-talk", "/rooms/general", "/rooms/releases", $"/rooms/{longestSlug}"], links.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Café Talk!", links["/rooms/cafe-talk"].QuerySelector(".fw-semibold")!.TextContent);
        Assert.Equal("Coffee, mostly", links["/rooms/cafe-talk"].QuerySelector(".small")!.TextContent);

        // The first admin page after the redirect carries the notice; the row carries the room's figures.
        var list = await admin.Client.GetDocumentAsync("admin");
        var row = AdminRow(list, "cafe-talk");
        Assert.Equal("Café Talk!", row.QuerySelector("a[href='/rooms/cafe-talk']")!.TextContent);
        Assert.Equal("cafe-talk", row.QuerySelector("code")!.TextContent);
        Assert.Contains("Coffee, mostly", row.TextContent, StringComparison.Ordinal);
        Assert.Equal("0", Cell(row, "messages"));
        Assert.Equal("0", Cell(row, "connected"));
        Assert.Null(row.QuerySelector("time"));
        Assert.Contains("never", row.TextContent, StringComparison.Ordinal);
        Assert.NotNull(AdminRow(list, "releases"));
        Assert.NotNull(AdminRow(list, longestSlug));

        await using var db = App.CreateDbContext();
        var stored = await db.Rooms.SingleAsync(r => r.Slug == "cafe-talk");
        Assert.Equal(("Café Talk!", "Coffee, mostly", false, 0L), (stored.Name, stored.Topic, stored.IsArchived, stored.LastSeq));

        // The new room is a room like any other: its page, its stream and posting work.
        var page = await visitor.GetDocumentAsync("rooms/cafe-talk");
        Assert.Equal("Café Talk!", page.GetElementById("room-name")!.TextContent);
        await using var stream = await SseSubscriber.ConnectAsync(App.BaseAddress, "cafe-talk");
        var sent = await visitor.SendAsync("cafe-talk", "ann", "first!");
        Assert.Equal(1, sent.Seq);
        Assert.Equal("first!", SseSubscriber.ParseMessage(await stream.NextAsync()).Text);
    }

    public static TheoryData<string> InvalidSlugs => new() { "Bad Slug", "a/b", "UPPER", "café", new string('a', Room.SlugMaxLength + 1) };

    [Theory]
    [MemberData(nameof(InvalidSlugs))]
    public async Task Creating_a_room_with_an_invalid_slug_shows_the_form_again_with_a_message_at_the_slug_and_stores_nothing(string slug)
    {
        using var admin = await AdminSession.SignInAsync(App);

        using var response = await CreateRoomAsync(admin, "Valid name", slug, "a topic");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var form = await ChatClient.ParseHtmlAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal("Use 1 to 40 lower-case letters, digits and dashes (a-z, 0-9, -).", ValidationMessage(form, "Slug"));
        Assert.Equal("", ValidationMessage(form, "Name"));
        Assert.Equal(slug, form.QuerySelector<IHtmlInputElement>("input[name=Slug]")!.Value);
        Assert.Equal("Valid name", form.QuerySelector<IHtmlInputElement>("input[name=Name]")!.Value);
        await AssertOnlyGeneralExistsAsync();
    }

    [Theory]
    [InlineData("Somewhere else", "general")] // the slug given is taken
    [InlineData("General!", "")] // the slug derived from the name is taken
    public async Task Creating_a_room_with_a_slug_already_taken_is_refused_at_the_slug_field(string name, string slug)
    {
        using var admin = await AdminSession.SignInAsync(App);

        using var response = await CreateRoomAsync(admin, name, slug);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var form = await ChatClient.ParseHtmlAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal("A room with the slug \"general\" already exists.", ValidationMessage(form, "Slug"));
        await AssertOnlyGeneralExistsAsync();
        await using var db = App.CreateDbContext();
        Assert.Equal("General", (await db.Rooms.SingleAsync()).Name); // the existing room was not touched
    }

    [Theory]
    [InlineData("", "fine-slug", "Name", "Give the room a name.")]
    [InlineData("   ", "fine-slug", "Name", "Give the room a name.")]
    [InlineData("", "", "Name", "Give the room a name.")]
    [InlineData("!!!", "", "Slug", "The name gives no usable slug: enter one (a-z, 0-9, -).")]
    public async Task Creating_a_room_without_a_usable_name_is_refused(string name, string slug, string field, string message)
    {
        using var admin = await AdminSession.SignInAsync(App);

        using var response = await CreateRoomAsync(admin, name, slug);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var form = await ChatClient.ParseHtmlAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal(message, ValidationMessage(form, field));
        await AssertOnlyGeneralExistsAsync();
    }

    private async Task AssertOnlyGeneralExistsAsync()
    {
        await using var db = App.CreateDbContext();
        Assert.Equal([Room.GeneralSlug], await db.Rooms.Select(r => r.Slug).ToListAsync());
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Action == AuditAction.RoomCreated));
        using var visitor = App.CreateChatClient();
        var home = await visitor.GetDocumentAsync("");
        Assert.Equal(["/rooms/general"], home.QuerySelectorAll("#rooms a").Select(a => a.GetAttribute("href")));
    }

    // Room list figures

    [Fact]
    public async Task Admin_room_list_shows_messages_last_activity_and_the_streams_open_right_now()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using (var created = await CreateRoomAsync(admin, "Quiet corner", "quiet"))
        {
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        }
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "ann", "one");
        await client.SendAsync("general", "bob", "two");
        var last = await client.SendAsync("general", "ann", "three");

        var first = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", after: "0");
        await using var second = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");
        await using var quietStream = await SseSubscriber.ConnectAsync(App.BaseAddress, "quiet");
        await first.ReadMessagesThroughAsync(3);

        var page = await admin.Client.GetDocumentAsync("admin");
        var general = AdminRow(page, "general");
        Assert.Equal("3", Cell(general, "messages"));
        Assert.Equal("2", Cell(general, "connected"));
        var time = general.QuerySelector("time[datetime]")!;
        Assert.Equal(
            last.SentAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            time.GetAttribute("datetime"));
        var quiet = AdminRow(page, "quiet");
        Assert.Equal(("0", "1"), (Cell(quiet, "messages"), Cell(quiet, "connected")));
        Assert.Null(quiet.QuerySelector("time"));

        // The streams column is live: a browser that leaves is no longer counted.
        await first.DisposeAsync();
        Assert.Equal("1", await EventuallyAsync(
            async () => Cell(AdminRow(await admin.Client.GetDocumentAsync("admin"), "general"), "connected"), "1"));
    }

    // Edit

    [Fact]
    public async Task Editing_a_room_sends_a_room_event_live_and_on_resume_and_its_page_shows_the_change()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "ann", "before the change");
        string awayAt;
        await using (var away = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", after: "0"))
        {
            await away.ReadMessagesThroughAsync(1);
            awayAt = away.LastEventId!;
        }
        await using var live = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");

        using var saved = await admin.SubmitFormAsync("admin/rooms/general/edit", EditForm("general"), new Dictionary<string, string>
        {
            ["Name"] = "General chat",
            ["Topic"] = "Release planning",
        });
        await client.SendAsync("general", "ann", "after the change");

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("/admin", PathOf(saved));
        const string Change = """{"seq":2,"name":"General chat","topic":"Release planning","archived":false}""";
        AssertRoomEvent(await live.NextAsync(), 2, Change);
        Assert.Equal(3, SseSubscriber.ParseMessage(await live.NextAsync()).Seq);

        // A client that was away resumes with its Last-Event-ID and sees the change in its place in the sequence.
        await using var resumed = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", lastEventId: awayAt);
        AssertRoomEvent(await resumed.NextAsync(), 2, Change);
        var next = SseSubscriber.ParseMessage(await resumed.NextAsync());
        Assert.Equal((3L, "after the change"), (next.Seq, next.Text));

        var page = await client.GetDocumentAsync("rooms/general");
        Assert.Equal("General chat", page.GetElementById("room-name")!.TextContent);
        Assert.Equal("Release planning", page.GetElementById("room-topic")!.TextContent);
        Assert.Contains("General chat", page.Title, StringComparison.Ordinal);
        var home = await client.GetDocumentAsync("");
        Assert.Equal("General chat", home.QuerySelector("#rooms a[href='/rooms/general'] .fw-semibold")!.TextContent);
        // History is untouched by a room event: it lists messages only.
        var history = await client.Http.GetFromJsonAsync<List<ChatMessage>>("rooms/general/messages");
        Assert.Equal([1L, 3L], history!.Select(m => m.Seq));
    }

    [Fact]
    public async Task An_edit_and_an_archive_that_race_each_other_both_hold()
    {
        var writer = App.Services.GetRequiredService<ChatEventWriter>();

        // Each command carries only what its form changed, so whichever commits second keeps the other's change.
        await Task.WhenAll(
            writer.SubmitAsync(new UpdateRoom(1, "ann", Name: "Renamed", Topic: "New topic"), CancellationToken.None),
            writer.SubmitAsync(new UpdateRoom(1, "bob", Archived: true), CancellationToken.None));

        await using var db = App.CreateDbContext();
        var room = await db.Rooms.SingleAsync();
        Assert.Equal(("Renamed", "New topic", true, 2L), (room.Name, room.Topic, room.IsArchived, room.LastSeq));
    }

    [Fact]
    public async Task Saving_a_room_unchanged_or_with_an_empty_name_adds_no_event()
    {
        using var admin = await AdminSession.SignInAsync(App);
        await using var live = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");

        using var unchanged = await admin.SubmitFormAsync("admin/rooms/general/edit", EditForm("general"));
        using var emptyName = await admin.SubmitFormAsync("admin/rooms/general/edit", EditForm("general"),
            new Dictionary<string, string> { ["Name"] = " ", ["Topic"] = "changed" });

        Assert.Equal(HttpStatusCode.Redirect, unchanged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, emptyName.StatusCode);
        var form = await ChatClient.ParseHtmlAsync(await emptyName.Content.ReadAsStringAsync());
        Assert.Equal("Give the room a name.", ValidationMessage(form, "Name"));
        await using var db = App.CreateDbContext();
        var general = await db.Rooms.SingleAsync();
        Assert.Equal(("General", "Anything goes.", 0L), (general.Name, general.Topic, general.LastSeq));
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Action == AuditAction.RoomEdited));
        await Assert.ThrowsAsync<TimeoutException>(() => live.NextAsync(TimeSpan.FromMilliseconds(300)));
    }

    // Archive

    [Fact]
    public async Task An_archived_room_refuses_posts_with_409_keeps_its_history_and_unarchiving_opens_it_with_no_hole_in_the_sequence()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var client = App.CreateChatClient();
        await client.SendAsync("general", "ann", "said before the archive");
        await using var live = await SseSubscriber.ConnectAsync(App.BaseAddress, "general", after: "0");
        Assert.Equal(1, SseSubscriber.ParseMessage(await live.NextAsync()).Seq);

        using (var archived = await admin.PostAsync("admin/rooms/general/archive"))
        {
            Assert.Equal(HttpStatusCode.Redirect, archived.StatusCode);
        }
        AssertRoomEvent(await live.NextAsync(), 2, """{"seq":2,"name":"General","topic":"Anything goes.","archived":true}""");

        using var refused = await client.PostMessageAsync("general", "ann", "said after the archive");
        using var refusedForm = await client.PostMessageAsync("general", "ann", "said after the archive", acceptJson: false);
        foreach (var response in new[] { refused, refusedForm })
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(409, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("This room is archived.", problem.RootElement.GetProperty("title").GetString());
        }
        await using (var db = App.CreateDbContext())
        {
            Assert.Equal(2, (await db.Rooms.SingleAsync()).LastSeq);
            Assert.False(await db.RoomEvents.AnyAsync(e => e.Text == "said after the archive"));
        }

        var page = await client.GetDocumentAsync("rooms/general");
        Assert.False(page.GetElementById("room-archived")!.HasAttribute("hidden"));
        Assert.True(page.GetElementById("composer-fields")!.HasAttribute("disabled"));
        Assert.Equal(["said before the archive"], page.QuerySelectorAll("#messages .message-text").Select(e => e.TextContent));
        var history = await client.Http.GetFromJsonAsync<List<ChatMessage>>("rooms/general/messages");
        Assert.Equal(["said before the archive"], history!.Select(m => m.Text));
        var list = await admin.Client.GetDocumentAsync("admin");
        Assert.Equal("archived", AdminRow(list, "general").QuerySelector(".badge")?.TextContent);

        // Archiving again changes nothing and adds no event; editing an archived room keeps it archived.
        (await admin.PostAsync("admin/rooms/general/archive")).Dispose();
        (await admin.SubmitFormAsync("admin/rooms/general/edit", EditForm("general"),
            new Dictionary<string, string> { ["Topic"] = "Closed for now" })).Dispose();
        AssertRoomEvent(await live.NextAsync(), 3, """{"seq":3,"name":"General","topic":"Closed for now","archived":true}""");
        using (var unarchived = await admin.PostAsync("admin/rooms/general/unarchive"))
        {
            Assert.Equal(HttpStatusCode.Redirect, unarchived.StatusCode);
        }
        AssertRoomEvent(await live.NextAsync(), 4, """{"seq":4,"name":"General","topic":"Closed for now","archived":false}""");

        var reopened = await client.GetDocumentAsync("rooms/general");
        Assert.True(reopened.GetElementById("room-archived")!.HasAttribute("hidden"));
        Assert.False(reopened.GetElementById("composer-fields")!.HasAttribute("disabled"));
        var sent = await client.SendAsync("general", "ann", "said after reopening");
        Assert.Equal(5, sent.Seq);
        Assert.Equal(5, SseSubscriber.ParseMessage(await live.NextAsync()).Seq);

        await using var check = App.CreateDbContext();
        var events = await check.RoomEvents.OrderBy(e => e.Seq).Select(e => new { e.Seq, e.Kind }).ToListAsync();
        Assert.Equal([1L, 2L, 3L, 4L, 5L], events.Select(e => e.Seq));
        Assert.Equal(
            [RoomEventKind.Message, RoomEventKind.Room, RoomEventKind.Room, RoomEventKind.Room, RoomEventKind.Message],
            events.Select(e => e.Kind));
    }

    // Delete

    [Fact]
    public async Task Deleting_a_room_with_the_wrong_slug_typed_shows_a_message_and_deletes_nothing()
    {
        using var admin = await AdminSession.SignInAsync(App);
        await App.AddRoomAsync("doomed");
        using var client = App.CreateChatClient();
        await client.SendAsync("doomed", "ann", "still here");
        await using var live = await SseSubscriber.ConnectAsync(App.BaseAddress, "doomed", after: "0");
        Assert.Equal(1, SseSubscriber.ParseMessage(await live.NextAsync()).Seq);

        foreach (var (typed, message) in new[]
        {
            ("general", "Type \"doomed\" exactly to delete this room."),
            ("DOOMED", "Type \"doomed\" exactly to delete this room."),
            ("", "Type the room's slug to confirm."),
        })
        {
            using var response = await admin.SubmitFormAsync("admin/rooms/doomed/delete", DeleteForm("doomed"),
                new Dictionary<string, string> { ["ConfirmSlug"] = typed });

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var form = await ChatClient.ParseHtmlAsync(await response.Content.ReadAsStringAsync());
            Assert.Equal(message, ValidationMessage(form, "ConfirmSlug"));
        }

        Assert.False(await live.EndsWithinAsync(TimeSpan.FromMilliseconds(300)));
        await client.SendAsync("doomed", "ann", "and talking");
        Assert.Equal(2, SseSubscriber.ParseMessage(await live.NextAsync()).Seq); // no gone event came first
        using var page = await client.Http.GetAsync("rooms/doomed");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        await using var db = App.CreateDbContext();
        Assert.Equal(2, await db.RoomEvents.CountAsync(e => e.Text != null));
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Action == AuditAction.RoomDeleted));
    }

    [Fact]
    public async Task Deleting_a_room_ends_its_streams_with_an_idless_gone_event_and_removes_it_and_its_messages()
    {
        using var admin = await AdminSession.SignInAsync(App);
        var doomed = await App.AddRoomAsync("doomed");
        using var client = App.CreateChatClient();
        await client.SendAsync("doomed", "ann", "first words");
        await client.SendAsync("doomed", "bob", "last words");
        await using var live = await SseSubscriber.ConnectAsync(App.BaseAddress, "doomed", after: "0");
        await live.ReadMessagesThroughAsync(2);
        await using var bystander = await SseSubscriber.ConnectAsync(App.BaseAddress, "general");
        using var rawHttp = new HttpClient { BaseAddress = App.BaseAddress };
        using var raw = await rawHttp.GetAsync("stream/doomed", HttpCompletionOption.ResponseHeadersRead);
        await using var rawBody = await raw.Content.ReadAsStreamAsync();

        using var deleted = await admin.SubmitFormAsync("admin/rooms/doomed/delete", DeleteForm("doomed"),
            new Dictionary<string, string> { ["ConfirmSlug"] = "doomed" });

        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal("/admin", PathOf(deleted));

        var gone = await live.NextAsync();
        Assert.Equal(SseFrames.GoneEventType, gone.EventType);
        Assert.Equal("""{"deleted":true}""", gone.Data);
        Assert.Equal("2", live.LastEventId); // an id-less event leaves the cursor alone
        Assert.True(await live.EndsWithinAsync(Patience), "the stream should end after the gone event");
        await Assert.ThrowsAsync<EndOfStreamException>(() => live.NextAsync());

        // On the wire: the last block is the gone event, with no id line, and then the server ends the response.
        var wire = await ReadToEndAsync(rawBody, Patience);
        var blocks = wire.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(b => !b.StartsWith(':')).ToList();
        Assert.Equal("event: gone\ndata: {\"deleted\":true}", blocks[^1]);
        Assert.DoesNotContain(wire.Split('\n'), line => line.StartsWith("id:", StringComparison.Ordinal));

        using var roomPage = await client.Http.GetAsync("rooms/doomed");
        using var stream = await client.Http.GetAsync("stream/doomed", HttpCompletionOption.ResponseHeadersRead);
        using var history = await client.Http.GetAsync("rooms/doomed/messages");
        using var post = await client.PostMessageAsync("doomed", "ann", "anyone?");
        Assert.Equal(HttpStatusCode.NotFound, roomPage.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stream.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, history.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        var home = await client.GetDocumentAsync("");
        Assert.Equal(["/rooms/general"], home.QuerySelectorAll("#rooms a").Select(a => a.GetAttribute("href")));
        Assert.Null((await admin.Client.GetDocumentAsync("admin")).QuerySelector("#admin-rooms tr[data-slug=doomed]"));

        await using (var db = App.CreateDbContext())
        {
            Assert.False(await db.Rooms.AnyAsync(r => r.Slug == "doomed"));
            Assert.Equal(0, await db.RoomEvents.CountAsync(e => e.RoomId == doomed.Id));
            var audit = await db.AuditEntries.SingleAsync(e => e.Action == AuditAction.RoomDeleted);
            Assert.Equal(("root", "doomed"), (audit.Actor, audit.Target));
        }

        // Other rooms carry on.
        Assert.False(await bystander.EndsWithinAsync(TimeSpan.FromMilliseconds(200)));
        var elsewhere = await client.SendAsync("general", "ann", "meanwhile");
        Assert.Equal(elsewhere.Seq, SseSubscriber.ParseMessage(await bystander.NextAsync()).Seq);

        // The slug is free again, and a new room under it starts from nothing: no old message comes back.
        using (var recreated = await CreateRoomAsync(admin, "Doomed again", "doomed"))
        {
            Assert.Equal(HttpStatusCode.Redirect, recreated.StatusCode);
        }
        var fresh = await client.GetDocumentAsync("rooms/doomed");
        Assert.NotNull(fresh.GetElementById("no-messages"));
        Assert.Equal("0", fresh.GetElementById("room")!.GetAttribute("data-last-seq"));
        await using var replay = await SseSubscriber.ConnectAsync(App.BaseAddress, "doomed", after: "0");
        await client.SendAsync("doomed", "ann", "a new beginning");
        var firstEvent = SseSubscriber.ParseMessage(await replay.NextAsync());
        Assert.Equal((1L, "a new beginning"), (firstEvent.Seq, firstEvent.Text));
    }

    /// <summary>
    /// A stream request looks the room up, then subscribes. If the deletion commits and tells the subscribers in
    /// between, this stream is not among them: it must still learn that the room is gone rather than idle forever.
    /// Driven at the streamer with the lookup made before the deletion, since over HTTP the gap is microseconds wide.
    /// </summary>
    [Fact]
    public async Task A_stream_whose_room_is_deleted_between_lookup_and_subscription_gets_gone_and_ends()
    {
        using var admin = await AdminSession.SignInAsync(App);
        var doomed = await App.AddRoomAsync("doomed");
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var lookedUp = await scope.ServiceProvider.GetRequiredService<RoomQueries>().FindAsync("doomed", CancellationToken.None);
            using (var deleted = await admin.SubmitFormAsync("admin/rooms/doomed/delete", DeleteForm("doomed"),
                new Dictionary<string, string> { ["ConfirmSlug"] = "doomed" }))
            {
                Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
            }
            using var body = new MemoryStream();
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            context.Response.Body = body;

            var streaming = scope.ServiceProvider.GetRequiredService<RoomEventStreamer>().StreamAsync(context, lookedUp!, resumeAfter: null);

            Assert.True(await Task.WhenAny(streaming, Task.Delay(Patience)) == streaming, "the stream of a deleted room should end");
            await streaming;
            Assert.Equal(doomed.Id, lookedUp!.Id);
            Assert.EndsWith("event: gone\ndata: {\"deleted\":true}\n\n", Encoding.UTF8.GetString(body.ToArray()), StringComparison.Ordinal);
        }
    }

    // Encoding

    [Fact]
    public async Task Room_name_and_topic_with_markup_are_shown_encoded_on_every_page()
    {
        const string Name = "<img src=x onerror=alert(1)>";
        const string Topic = "<script>alert(2)</script>";
        using var admin = await AdminSession.SignInAsync(App);
        using (var created = await CreateRoomAsync(admin, Name, topic: Topic))
        {
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        }
        const string Slug = "img-src-x-onerror-alert-1";
        using var visitor = App.CreateChatClient();
        await visitor.SendAsync(Slug, "ann", "hello");

        var pages = new List<(string Path, ChatClient Client)>
        {
            ("admin", admin.Client), // first after the redirect: it shows the "created" notice with the name
            ("", visitor),
            ($"rooms/{Slug}", visitor),
            ($"rooms/{Slug}", admin.Client),
            ("admin", admin.Client),
            ("admin/audit", admin.Client),
            ($"admin/rooms/{Slug}/edit", admin.Client),
            ($"admin/rooms/{Slug}/delete", admin.Client),
            ($"admin/rooms/{Slug}/messages", admin.Client),
        };
        foreach (var (path, client) in pages)
        {
            using var response = await client.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>alert(2)", html, StringComparison.Ordinal);
            var document = await ChatClient.ParseHtmlAsync(html);
            Assert.Empty(document.QuerySelectorAll("img"));
            Assert.Contains(Name, document.Body!.TextContent + string.Concat(document.QuerySelectorAll("input").Select(i => i.GetAttribute("value"))), StringComparison.Ordinal);
        }

        var home = await visitor.GetDocumentAsync("");
        Assert.Equal(Name, home.QuerySelector($"#rooms a[href='/rooms/{Slug}'] .fw-semibold")!.TextContent);
        Assert.Equal(Topic, home.QuerySelector($"#rooms a[href='/rooms/{Slug}'] .small")!.TextContent);
        var room = await visitor.GetDocumentAsync($"rooms/{Slug}");
        Assert.Equal(Name, room.GetElementById("room-name")!.TextContent);
        Assert.Equal(Topic, room.GetElementById("room-topic")!.TextContent);
        Assert.StartsWith(Name, room.Title, StringComparison.Ordinal);
        var list = await admin.Client.GetDocumentAsync("admin");
        Assert.Equal(Name, AdminRow(list, Slug).QuerySelector($"a[href='/rooms/{Slug}']")!.TextContent);
        Assert.Contains(Topic, AdminRow(list, Slug).TextContent, StringComparison.Ordinal);
        var audit = await admin.Client.GetDocumentAsync("admin/audit");
        Assert.Contains(audit.QuerySelectorAll("#audit tbody tr"), tr => tr.TextContent.Contains($"Name: {Name}", StringComparison.Ordinal));
    }

    // Helpers

    private static void AssertRoomEvent(System.Net.ServerSentEvents.SseItem<string> item, long seq, string json)
    {
        Assert.Equal(SseFrames.RoomEventType, item.EventType);
        Assert.Equal(seq.ToString(CultureInfo.InvariantCulture), item.EventId);
        Assert.Equal(json, item.Data);
    }

    internal static IElement AdminRow(IDocument page, string slug) =>
        page.QuerySelector($"#admin-rooms tr[data-slug='{slug}']")
        ?? throw new Xunit.Sdk.XunitException($"The admin room list has no row for {slug}.");

    internal static string Cell(IElement row, string column) =>
        row.QuerySelector($"td[data-column={column}]")!.TextContent.Trim();

    internal static string ValidationMessage(IDocument page, string field) =>
        page.QuerySelector($"[data-valmsg-for='{field}']")?.TextContent.Trim() ?? "";

    /// <summary>Reads a value until it is what is expected or the time is up; returns the last value read.</summary>
    internal static async Task<string> EventuallyAsync(Func<Task<string>> read, string expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        var value = await read();
        while (value != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            value = await read();
        }
        return value;
    }

    /// <summary>Everything the server sends until it ends the response; fails if it does not end in time.</summary>
    private static async Task<string> ReadToEndAsync(Stream body, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var text = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = await body.ReadAsync(buffer, cts.Token)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        return text.ToString();
    }

    internal static string PathOf(HttpResponseMessage response) =>
        response.Headers.Location is { } location
            ? location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString
            : "";
}
