using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Admin;
using SseChat.Web.Data;

namespace SseChat.Tests.Admin;

/// <summary>
/// An administrator whose browser asks for Chinese gets the admin area, its validation errors and its refusals in
/// Simplified Chinese, while room names, topics and messages stay exactly as they were typed.
/// </summary>
// A one-second busy timeout, so that a locked database refuses a change quickly instead of after 30 s.
public sealed class AdminInChineseTests() : ChatAppTests(connectionOptions: "Default Timeout=1")
{
    private const string CreateForm = "form#room-form";

    [Fact]
    public async Task Sign_in_page_speaks_Chinese_and_refuses_missing_and_wrong_credentials_in_Chinese()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
        using var client = InChinese(App.CreateChatClient());

        var page = await client.GetDocumentAsync("admin/login");
        using var empty = await AdminSession.SubmitLoginAsync(client, "", "");
        using var wrong = await AdminSession.SubmitLoginAsync(client, "root", "not the password");

        Assert.Equal("zh-Hans", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("管理后台登录 · SseChat", page.Title);
        Assert.Equal("登录管理后台", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal(["用户名", "密码"], page.QuerySelectorAll("#login-form label").Select(label => label.TextContent.Trim()));
        Assert.Equal("登录", page.QuerySelector("#login-form button[type=submit]")!.TextContent.Trim());
        Assert.Contains("dotnet run --project SseChat.Web -- admin set-password <name>", page.QuerySelector("p code")!.TextContent, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal(["请输入密码。", "请输入用户名。"], (await ErrorSummaryAsync(empty)).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(["用户名或密码不正确。"], await ErrorSummaryAsync(wrong));
    }

    [Fact]
    public async Task Account_locked_after_failed_sign_ins_is_refused_with_a_Chinese_problem()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", AdminSession.DefaultPassword);
        var admin = App.Services.GetRequiredService<IOptions<AdminOptions>>().Value;
        // Failures from other addresses, so that this client's own sign-in limit is not what refuses it.
        for (var failures = 0; failures < admin.AccountLoginPermitLimit;)
        {
            var from = System.Net.IPAddress.Parse($"127.0.0.{2 + (failures / admin.LoginPermitLimit)}");
            using var stranger = new ChatClient(App.BaseAddress, handler => handler.ConnectCallback = LoopbackSource.ConnectFrom(from));
            for (var i = 0; i < admin.LoginPermitLimit && failures < admin.AccountLoginPermitLimit; i++, failures++)
            {
                (await AdminSession.SubmitLoginAsync(stranger, "root", $"guess {failures}")).Dispose();
            }
        }
        using var client = InChinese(App.CreateChatClient());
        client.Http.DefaultRequestHeaders.Accept.ParseAdd("application/json");

        using var refused = await AdminSession.SubmitLoginAsync(client, "root", AdminSession.DefaultPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(admin.LoginWindow, refused.Headers.RetryAfter?.Delta);
        using var problem = await ProblemAsync(refused);
        Assert.Equal("尝试次数过多。", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal($"请等待{(int)admin.LoginWindow.TotalSeconds}秒后再试。", problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Every_admin_page_has_its_Chinese_title_and_heading()
    {
        using var admin = await SignInInChineseAsync();

        var expected = new (string Path, string Title, string Heading)[]
        {
            ("admin", "管理后台 · 房间", "房间"),
            ("admin/rooms/new", "管理后台 · 新建房间", "新建房间"),
            ("admin/rooms/general/edit", "管理后台 · 编辑房间", "编辑 general"),
            ("admin/rooms/general/delete", "管理后台 · 删除房间", "永久删除 general？"),
            ("admin/rooms/general/messages", "管理后台 · 管理消息", "General 中的消息"),
            ("admin/audit", "管理后台 · 审计日志", "审计日志"),
            ("admin/password", "修改密码", "修改你的密码"),
        };
        foreach (var (path, title, heading) in expected)
        {
            var page = await admin.Client.GetDocumentAsync(path);
            Assert.Equal($"{title} · SseChat", page.Title);
            Assert.Equal(heading, page.QuerySelector("h1")!.TextContent.Trim());
            Assert.Equal(["房间", "审计日志", "密码"], page.QuerySelectorAll("nav.nav a.nav-link").Select(a => a.TextContent.Trim()));
            Assert.Equal("退出登录", page.QuerySelector("nav.nav button[type=submit]")!.TextContent.Trim());
        }
    }

    [Fact]
    public async Task Rooms_list_speaks_Chinese_around_room_names_and_topics_shown_as_typed()
    {
        using var admin = await SignInInChineseAsync();

        using var chinese = await CreateRoomAsync(admin, "闲聊 Lounge", "xianliao", "随便聊聊，English welcome");
        using var english = await CreateRoomAsync(admin, "Release planning", "releases", "Dates & scope");
        var list = await admin.Client.GetDocumentAsync("admin");
        using var visitor = App.CreateChatClient(); // English, to show the users' text is the same in both languages
        using var englishAdmin = await AdminSession.SignInAsync(App, "root-en");
        var englishList = await englishAdmin.Client.GetDocumentAsync("admin");

        Assert.Equal(HttpStatusCode.Redirect, chinese.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, english.StatusCode);
        Assert.Equal(
            ["名称", "短地址", "主题", "消息数", "最近活动", "在线", "本节点的数据流", ""],
            list.QuerySelectorAll("#admin-rooms thead th").Select(th => th.TextContent.Trim()));
        Assert.Equal("新建房间", list.QuerySelector("a.btn-primary[href='/admin/rooms/new']")!.TextContent.Trim());
        Assert.Equal("已创建房间“Release planning”。", list.QuerySelector(".alert[role=status]")!.TextContent.Trim());
        var row = RoomLifecycleTests.AdminRow(list, "xianliao");
        Assert.Equal(["管理消息", "编辑", "归档", "删除"], row.QuerySelectorAll(".btn").Select(b => b.TextContent.Trim()));
        Assert.Equal("从未", row.QuerySelectorAll("td")[4].TextContent.Trim());
        Assert.Equal("实时数据", list.QuerySelector("#live-figures-title")!.ChildNodes[0].TextContent.Trim());
        foreach (var page in new[] { list, englishList })
        {
            Assert.Equal("闲聊 Lounge", RoomLifecycleTests.AdminRow(page, "xianliao").QuerySelector("td a")!.TextContent);
            Assert.Equal("随便聊聊，English welcome", RoomLifecycleTests.AdminRow(page, "xianliao").QuerySelectorAll("td")[2].TextContent);
            Assert.Equal("Release planning", RoomLifecycleTests.AdminRow(page, "releases").QuerySelector("td a")!.TextContent);
            Assert.Equal("Dates & scope", RoomLifecycleTests.AdminRow(page, "releases").QuerySelectorAll("td")[2].TextContent);
        }
        Assert.Equal("Name", englishList.QuerySelector("#admin-rooms thead th")!.TextContent.Trim());
        var edit = await admin.Client.GetDocumentAsync("admin/rooms/xianliao/edit");
        Assert.Equal("闲聊 Lounge", edit.QuerySelector<IHtmlInputElement>("input[name=Name]")!.Value);
        Assert.Equal("随便聊聊，English welcome", edit.QuerySelector<IHtmlInputElement>("input[name=Topic]")!.Value);
        var home = await visitor.GetDocumentAsync("");
        Assert.Equal("闲聊 Lounge", home.QuerySelector("#rooms a[href='/rooms/xianliao'] .fw-semibold")!.TextContent);
    }

    [Theory]
    [InlineData("讨论区", "Bad Slug!", "请使用 1 到 40 个小写字母、数字和连字符（a-z、0-9、-）。")]
    [InlineData("讨论区", "", "无法从这个名称生成短地址：请自行输入一个（a-z、0-9、-）。")] // no Latin letter to derive one from
    [InlineData("另一个 General", "general", "短地址为“general”的房间已经存在。")]
    public async Task Create_form_refuses_a_bad_slug_in_Chinese_and_keeps_what_was_typed(string name, string slug, string message)
    {
        using var admin = await SignInInChineseAsync();

        using var response = await CreateRoomAsync(admin, name, slug, "主题：测试");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var form = await ChatClient.ParseHtmlAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal(message, RoomLifecycleTests.ValidationMessage(form, "Slug"));
        Assert.Equal(["名称", "主题", "短地址（房间的网址）"], form.QuerySelectorAll($"{CreateForm} label").Select(l => l.TextContent.Trim()));
        Assert.Equal("根据名称自动生成", form.QuerySelector<IHtmlInputElement>("input[name=Slug]")!.Placeholder);
        Assert.Equal(name, form.QuerySelector<IHtmlInputElement>("input[name=Name]")!.Value);
        Assert.Equal("主题：测试", form.QuerySelector<IHtmlInputElement>("input[name=Topic]")!.Value);
        await using var db = App.CreateDbContext();
        Assert.Equal(["general"], db.Rooms.Select(r => r.Slug).ToList());
    }

    [Fact]
    public async Task Delete_and_password_forms_refuse_in_Chinese()
    {
        using var admin = await SignInInChineseAsync();

        using var mismatch = await admin.SubmitFormAsync(
            "admin/rooms/general/delete", "form[action='/admin/rooms/general/delete']",
            new Dictionary<string, string> { ["ConfirmSlug"] = "General" });
        using var weak = await admin.SubmitFormAsync(
            "admin/password", "main form[action='/admin/password']",
            new Dictionary<string, string> { ["CurrentPassword"] = AdminSession.DefaultPassword, ["NewPassword"] = "短", ["ConfirmPassword"] = "不同" });

        var deletePage = await ChatClient.ParseHtmlAsync(await mismatch.Content.ReadAsStringAsync());
        Assert.Equal("请准确输入“general”来删除此房间。", RoomLifecycleTests.ValidationMessage(deletePage, "ConfirmSlug"));
        Assert.Equal("输入 general 以确认", deletePage.QuerySelector("label[for=ConfirmSlug]")!.TextContent.Trim());
        var passwordPage = await ChatClient.ParseHtmlAsync(await weak.Content.ReadAsStringAsync());
        var minimum = App.Services.GetRequiredService<IOptions<AdminOptions>>().Value.MinimumPasswordLength;
        Assert.Equal($"请设置至少 {minimum} 个字符的密码。", RoomLifecycleTests.ValidationMessage(passwordPage, "NewPassword"));
        Assert.Equal("两次输入的新密码不一致。", RoomLifecycleTests.ValidationMessage(passwordPage, "ConfirmPassword"));
        await using var db = App.CreateDbContext();
        Assert.Equal(["general"], db.Rooms.Select(r => r.Slug).ToList());
    }

    [Fact]
    public async Task Moderation_page_speaks_Chinese_around_messages_shown_as_written()
    {
        using var admin = await SignInInChineseAsync();
        using var client = App.CreateChatClient();
        var kept = await client.SendAsync("general", "小明", "大家好！Hello everyone");
        var removed = await client.SendAsync("general", "bob", "要删除的消息");
        (await admin.PostAsync($"admin/rooms/general/messages/{removed.Seq}/remove")).Dispose();

        var page = await admin.Client.GetDocumentAsync("admin/rooms/general/messages");

        Assert.Equal($"已移除消息 #{removed.Seq}。", page.QuerySelector(".alert[role=status]")!.TextContent.Trim());
        Assert.Equal("/rooms/general", page.QuerySelector("h1 a")!.GetAttribute("href"));
        var keptItem = page.QuerySelector($"#moderated-messages [data-seq='{kept.Seq}']")!;
        Assert.Equal("小明", keptItem.QuerySelector("strong")!.TextContent);
        Assert.Equal("大家好！Hello everyone", keptItem.QuerySelector(".message-text")!.TextContent);
        Assert.Equal("移除", keptItem.QuerySelector("button")!.TextContent.Trim());
        var removedLine = page.QuerySelector($"#moderated-messages [data-seq='{removed.Seq}'] .fst-italic")!.TextContent.Trim();
        Assert.Matches(@"^已由 root-zh 于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC 移除$", removedLine);
    }

    [Fact]
    public async Task Audit_log_labels_known_actions_in_Chinese_and_shows_unknown_codes_as_stored()
    {
        using var admin = await SignInInChineseAsync();
        await using (var db = App.CreateDbContext())
        {
            // A code this version does not know, as a newer version's database might hold.
            db.AuditEntries.Add(new AuditEntry { At = DateTime.UtcNow, Actor = "future", Action = (AuditAction)99 });
            await db.SaveChangesAsync();
        }
        (await admin.PostAsync("admin/rooms/general/archive")).Dispose();

        var page = await admin.Client.GetDocumentAsync("admin/audit");

        Assert.Equal(["时间（UTC）", "操作人", "操作", "对象", "详情"], page.QuerySelectorAll("#audit th").Select(th => th.TextContent.Trim()));
        var actions = page.QuerySelectorAll("#audit tbody td[data-action]")
            .Select(td => (Code: td.GetAttribute("data-action"), Label: td.TextContent.Trim()))
            .ToList();
        Assert.Equal(
            [(nameof(AuditAction.RoomArchived), "归档房间"), ("99", "99"), (nameof(AuditAction.SignedIn), "登录")],
            actions);
    }

    [Fact]
    public async Task Audit_details_and_live_figures_read_in_Chinese_around_the_data_as_stored()
    {
        using var admin = await SignInInChineseAsync();
        using var client = App.CreateChatClient();
        var removed = await client.SendAsync("general", "bob", "要删除的消息");
        (await admin.PostAsync($"admin/rooms/general/messages/{removed.Seq}/remove")).Dispose();

        var audit = await admin.Client.GetDocumentAsync("admin/audit");
        var rooms = await admin.Client.GetDocumentAsync("admin");

        string DetailOf(string action) =>
            audit.QuerySelector($"#audit tbody tr:has(td[data-action='{action}']) td[data-detail]")!.TextContent.Trim();
        Assert.Equal("作者：bob", DetailOf(nameof(AuditAction.MessageRemoved)));
        Assert.Equal("来自 127.0.0.1", DetailOf(nameof(AuditAction.SignedIn)));
        Assert.Equal(["未通过验证", "房间已归档", "无法存储", "发送过快"],
            rooms.QuerySelectorAll("#live-figures dd.small > span").Select(span => span.FirstChild!.TextContent.Trim()));
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task Change_the_database_cannot_store_is_refused_with_a_Chinese_problem()
    {
        using var admin = await SignInInChineseAsync();

        HttpResponseMessage refused;
        await using (await SqliteWriteLock.HoldAsync(App.DatabasePath))
        {
            refused = await admin.PostAsync("admin/rooms/general/archive", acceptJson: true);
        }

        using (refused)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            using var problem = await ProblemAsync(refused);
            Assert.Equal("更改没有保存。", problem.RootElement.GetProperty("title").GetString());
            Assert.Equal("无法保存这项更改。", problem.RootElement.GetProperty("detail").GetString());
        }
        await using var db = App.CreateDbContext();
        Assert.False(db.Rooms.Single().IsArchived);
    }

    [Fact]
    public async Task One_time_password_holder_is_told_in_Chinese_to_choose_a_new_one_first()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", "one-time-password-123", mustChange: true);
        using var client = InChinese(App.CreateChatClient());
        (await AdminSession.SubmitLoginAsync(client, "root", "one-time-password-123")).Dispose();
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin");
        request.Headers.Accept.ParseAdd("application/json");

        using var refused = await client.Http.SendAsync(request);
        var passwordPage = await client.GetDocumentAsync("admin/password");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var problem = await ProblemAsync(refused);
        Assert.Equal("请先设置新密码。", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal("你是用一次性密码登录的：请先设置自己的密码，然后才能继续。", passwordPage.QuerySelector(".alert-warning")!.TextContent.Trim());
        Assert.Equal(["当前密码", "新密码", "再次输入新密码"], passwordPage.QuerySelectorAll("main form label").Select(l => l.TextContent.Trim()));
    }

    /// <summary>Signs a fresh administrator in; from then on the session's browser asks for Chinese.</summary>
    private async Task<AdminSession> SignInInChineseAsync()
    {
        var admin = await AdminSession.SignInAsync(App, "root-zh");
        InChinese(admin.Client);
        return admin;
    }

    /// <summary>Every later request of the client asks for Chinese, as a browser set to zh-CN does.</summary>
    private static ChatClient InChinese(ChatClient client)
    {
        client.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        return client;
    }

    private static Task<HttpResponseMessage> CreateRoomAsync(AdminSession admin, string name, string slug, string topic) =>
        admin.SubmitFormAsync("admin/rooms/new", CreateForm, new Dictionary<string, string>
        {
            ["Name"] = name,
            ["Slug"] = slug,
            ["Topic"] = topic,
        });

    private static async Task<List<string>> ErrorSummaryAsync(HttpResponseMessage response)
    {
        var page = await ChatClient.ParseHtmlAsync(await response.Content.ReadAsStringAsync());
        return page.QuerySelectorAll(".validation-summary-errors li").Select(li => li.TextContent.Trim()).ToList();
    }

    private static async Task<JsonDocument> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
