using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Admin;
using SseChat.Web.Chat;
using SseChat.Web.Data;

namespace SseChat.Tests.Chat;

/// <summary>
/// Display names cannot pass for someone else's: no invisible format characters (zero-width, bidi controls), no
/// administrator's name or look-alike of one for a visitor, and an administrator on the online list is never merged
/// with a visitor of the same name. docs/protocol.md ("Display names") states the rule.
/// </summary>
public sealed class DisplayNameTests : ChatAppTests
{
    public static TheoryData<string> DisguisedNames =>
    [
        "admin\u200b",   // zero-width space
        "ad\u200dmin",   // zero-width joiner
        "\u202eevil",    // right-to-left override
        "Ann\u2066x",    // left-to-right isolate
        "\u00adAnn",     // soft hyphen
        "\ufeffAnn",     // byte order mark
        "Ann\U000e0041", // tag character, beyond the BMP
        "ad\u034fmin",   // combining grapheme joiner (Mn, default-ignorable)
        "admin\ufe0f",   // variation selector
        "ad\u3164min",   // Hangul filler (Lo, draws nothing)
        "admin\u2800",   // braille blank
    ];

    [Theory]
    [MemberData(nameof(DisguisedNames))]
    public async Task A_name_with_a_format_character_is_refused_on_posts_typing_and_streams(string name)
    {
        using var client = App.CreateChatClient();

        using var post = await client.PostMessageAsync("general", name, "hello");
        using var typing = await client.PostTypingAsync("general", name);
        using var stream = await client.Http.GetAsync(
            $"stream/general?name={Uri.EscapeDataString(name)}&client=abc", HttpCompletionOption.ResponseHeadersRead);

        await AssertRefusedNamingAsync(post, "author", "U+");
        await AssertRefusedNamingAsync(typing, "author", "U+");
        await AssertRefusedNamingAsync(stream, "name", "U+");
        Assert.Empty(await client.GetWholeHistoryAsync("general"));
    }

    [Theory]
    [InlineData("admin")]       // the account the app creates on a fresh database
    [InlineData("Admin")]
    [InlineData("ADMIN")]
    [InlineData("аdmin")]       // Cyrillic а
    [InlineData("ａｄｍｉｎ")]    // full-width letters
    [InlineData("admln")]       // l for i
    [InlineData("root")]        // an account made later
    [InlineData("Rооt")]        // Cyrillic о twice
    public async Task A_visitor_cannot_post_or_type_under_an_administrators_account_name_or_a_look_alike(string name)
    {
        await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
        using var visitor = App.CreateChatClient();

        using var post = await visitor.PostMessageAsync("general", name, "Please reply with your password.");
        using var typing = await visitor.PostTypingAsync("general", name);

        await AssertRefusedNamingAsync(post, "author", name);
        await AssertRefusedNamingAsync(typing, "author", name);
        Assert.Empty(await visitor.GetWholeHistoryAsync("general"));
    }

    [Fact]
    public async Task Once_an_administrator_posts_under_a_name_visitors_can_no_longer_use_it_but_other_names_stay_free()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var visitor = App.CreateChatClient();
        var before = await visitor.SendAsync("general", "Moderator", "taken before any administrator used it");
        Assert.False(before.Admin);

        var announcement = await admin.Client.SendAsync("general", "Moderator", "Welcome!");
        using var impostor = await visitor.PostMessageAsync("general", "Moderator", "Please reply with your password.");
        using var lookAlike = await visitor.PostMessageAsync("general", "Mоderatоr", "Please reply with your password.");

        Assert.True(announcement.Admin);
        await AssertRefusedNamingAsync(impostor, "author", "Moderator");
        await AssertRefusedNamingAsync(lookAlike, "author", "Mоderatоr");
        Assert.False((await visitor.SendAsync("general", "Moderator Fan", "a name of my own")).Admin);
        Assert.True((await admin.Client.SendAsync("general", "Moderator", "still mine")).Admin);
    }

    [Fact]
    public async Task Names_administrators_posted_under_are_read_back_from_the_database()
    {
        await using (var db = App.CreateDbContext())
        {
            var room = db.Rooms.Single(r => r.Slug == "general");
            db.RoomEvents.Add(new RoomEvent
            {
                RoomId = room.Id, Seq = 1, Kind = RoomEventKind.Message, CreatedAt = DateTime.UtcNow,
                Author = "Night Shift", AuthorIsAdmin = true, Text = "posted before a restart",
            });
            db.RoomEvents.Add(new RoomEvent
            {
                RoomId = room.Id, Seq = 2, Kind = RoomEventKind.Message, CreatedAt = DateTime.UtcNow,
                Author = "Day Visitor", Text = "a visitor's name reserves nothing",
            });
            await db.SaveChangesAsync();
        }
        var names = new AdministratorNames();

        await using (var db = App.CreateDbContext())
        {
            await names.LoadAsync(db, CancellationToken.None);
        }

        Assert.True(names.IsTaken("night shift"));
        Assert.True(names.IsTaken("admin"));
        Assert.False(names.IsTaken("Day Visitor"));
    }

    [Fact]
    public async Task An_administrator_and_a_visitor_of_the_same_name_are_listed_apart_with_the_administrator_marked()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var adminHandler = new SocketsHttpHandler { CookieContainer = admin.Client.Cookies };
        await using var visitor = await SseSubscriber.ConnectAsync(
            App.BaseAddress, "general", visitor: new StreamVisitor("browser-visitor", "Moderator"), includeEphemeral: true);
        Assert.Equal([("Moderator", false)], await NextOnlineAsync(visitor));

        await using var moderator = await SseSubscriber.ConnectAsync(
            App.BaseAddress, "general", handler: adminHandler, visitor: new StreamVisitor("browser-admin", "Moderator"),
            includeEphemeral: true);

        Assert.Equal([("Moderator", true), ("Moderator", false)], await NextOnlineAsync(visitor));
        using var client = App.CreateChatClient();
        var home = await client.GetDocumentAsync("");
        Assert.Equal("2", home.QuerySelector("#rooms a[href='/rooms/general'] .room-online")!.GetAttribute("data-online"));
    }

    private static async Task<List<(string Name, bool Admin)>> NextOnlineAsync(SseSubscriber subscriber)
    {
        SseItem<string> item;
        do
        {
            item = await subscriber.NextAsync();
        }
        while (item.EventType != SseFrames.PresenceEventType);
        using var data = JsonDocument.Parse(item.Data);
        var names = data.RootElement.GetProperty("online").EnumerateArray().Select(n => n.GetString()!);
        var admin = data.RootElement.GetProperty("admin").EnumerateArray().Select(a => a.GetBoolean());
        return [.. names.Zip(admin)];
    }

    private static async Task AssertRefusedNamingAsync(HttpResponseMessage response, string field, string saying)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!);
        Assert.Contains(errors, e => e.Contains(saying, StringComparison.Ordinal));
    }
}
