using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Data;

namespace SseChat.Tests.Admin;

/// <summary>
/// The audit log and the moderation page are paged with a keyset cursor in plain links (no script needed), the
/// audit log filters by action, and the password form says its rule up front and leads back to the admin area.
/// </summary>
public sealed class AdminPagesTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["Admin:AuditPageSize"] = "10",
    ["Admin:ModerationPageSize"] = "10",
    ["Admin:PasswordChangePermitLimit"] = "1",
})
{
    [Fact]
    public async Task The_audit_log_pages_back_through_every_entry_once_and_filters_by_action()
    {
        using var admin = await AdminSession.SignInAsync(App); // one SignedIn entry
        await using (var db = App.CreateDbContext())
        {
            // Many failed sign-ins around room changes: the changes must stay within reach, more than a page of them
            // so that the filter must hold across the older-entries link too.
            for (var i = 0; i < 40; i++)
            {
                var action = i % 3 == 1 ? AuditAction.RoomCreated : AuditAction.SignInFailed;
                db.AuditEntries.Add(new AuditEntry { At = DateTime.UtcNow, Actor = "root", Action = action, Target = $"t{i}" });
            }
            await db.SaveChangesAsync();
        }
        await using var check = App.CreateDbContext();
        var all = await check.AuditEntries.OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync();
        var created = await check.AuditEntries.Where(e => e.Action == AuditAction.RoomCreated)
            .OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync();

        var (pages, seen) = await FollowOlderLinksAsync(admin, "admin/audit", "#audit tbody tr", "data-id", "#older-entries");
        var (_, onlyCreated) = await FollowOlderLinksAsync(
            admin, "admin/audit?action=RoomCreated", "#audit tbody tr", "data-id", "#older-entries");

        Assert.Equal((all.Count + 9) / 10, pages);
        Assert.Equal(all, seen);
        Assert.True(created.Count > 10, "more room changes than one page holds");
        Assert.Equal(created, onlyCreated);
        var filtered = await admin.Client.GetDocumentAsync("admin/audit?action=RoomCreated");
        Assert.Equal("RoomCreated", filtered.QuerySelector<AngleSharp.Html.Dom.IHtmlSelectElement>("#audit-action")!.Value);
    }

    [Theory]
    [InlineData("admin/audit?action=NoSuchAction", "action")]
    [InlineData("admin/audit?before=0", "before")]
    [InlineData("admin/rooms/general/messages?before=-3", "before")]
    public async Task A_bad_cursor_or_action_is_refused_with_a_problem_naming_it(string path, string field)
    {
        using var admin = await AdminSession.SignInAsync(App);

        using var response = await admin.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_moderation_page_pages_back_through_every_message_once_and_removing_keeps_the_page()
    {
        using var admin = await AdminSession.SignInAsync(App);
        using var client = App.CreateChatClient();
        var seqs = new List<long>();
        for (var i = 0; i < 23; i++)
        {
            seqs.Add((await client.SendAsync("general", "ann", $"message {i}")).Seq);
        }
        seqs.Reverse();

        var (pages, seen) = await FollowOlderLinksAsync(
            admin, "admin/rooms/general/messages", "#moderated-messages [data-seq]", "data-seq", "#older-messages");
        var first = await admin.Client.GetDocumentAsync("admin/rooms/general/messages");
        var second = await admin.Client.GetDocumentAsync(first.QuerySelector("#older-messages")!.GetAttribute("href")!.TrimStart('/'));
        var target = second.QuerySelector("#moderated-messages [data-seq]:nth-child(3)")!;
        var removeForm = target.QuerySelector("form")!.GetAttribute("action")!;
        using var removed = await admin.PostAsync(removeForm.TrimStart('/'));

        Assert.Equal(3, pages);
        Assert.Equal(seqs, seen);
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        var back = await admin.Client.GetDocumentAsync(removed.Headers.Location!.OriginalString.TrimStart('/'));
        Assert.NotNull(back.QuerySelector($"#moderated-messages [data-seq='{target.GetAttribute("data-seq")}'] .fst-italic"));
        Assert.NotNull(back.QuerySelector("#newest-messages"));
    }

    [Fact]
    public async Task The_password_form_states_the_minimum_length_before_any_attempt()
    {
        using var admin = await AdminSession.SignInAsync(App);

        var page = await admin.Client.GetDocumentAsync("admin/password");

        var describedBy = page.QuerySelector("input#NewPassword")!.GetAttribute("aria-describedby");
        Assert.False(string.IsNullOrEmpty(describedBy));
        Assert.Equal("At least 12 characters.", page.GetElementById(describedBy)!.TextContent.Trim());
    }

    [Fact]
    public async Task Too_many_password_changes_lead_back_to_the_admin_area()
    {
        using var admin = await AdminSession.SignInAsync(App);
        var fields = new Dictionary<string, string>
        {
            ["CurrentPassword"] = "a typo",
            ["NewPassword"] = "a brand new long password",
            ["ConfirmPassword"] = "a brand new long password",
        };
        admin.Http.DefaultRequestHeaders.Accept.ParseAdd("text/html"); // a browser, which gets the error page
        (await admin.SubmitFormAsync("admin/password", "form[action='/admin/password']", fields)).Dispose();

        using var refused = await admin.SubmitFormAsync("admin/password", "form[action='/admin/password']", fields);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var page = await ChatClient.ParseHtmlAsync(await refused.Content.ReadAsStringAsync());
        var way = page.QuerySelector("main a[href='/admin']");
        Assert.NotNull(way);
        Assert.Equal("Back to the admin area", way.TextContent.Trim());
        Assert.Null(page.QuerySelector("main .container a[href='/']"));
    }

    /// <summary>Loads a page, then its "older" link until there is none; returns how many pages and every key seen.</summary>
    private static async Task<(int Pages, List<long> Keys)> FollowOlderLinksAsync(
        AdminSession admin, string path, string rowSelector, string keyAttribute, string olderLink)
    {
        var keys = new List<long>();
        var pages = 0;
        for (string? next = path; next is not null; pages++)
        {
            Assert.True(pages < 50, "the older links never end");
            var page = await admin.Client.GetDocumentAsync(next);
            keys.AddRange(page.QuerySelectorAll(rowSelector).Select(row => long.Parse(row.GetAttribute(keyAttribute)!, System.Globalization.CultureInfo.InvariantCulture)));
            next = page.QuerySelector(olderLink)?.GetAttribute("href")?.TrimStart('/');
        }
        return (pages, keys);
    }
}
