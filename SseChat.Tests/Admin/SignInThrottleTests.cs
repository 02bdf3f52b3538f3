using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using SseChat.Tests.Infrastructure;
using SseChat.Web.Admin;
using SseChat.Web.Data;

namespace SseChat.Tests.Admin;

/// <summary>
/// Sign-in limits per account and address: a stranger guessing from many addresses neither gets more guesses than
/// the limits nor locks out an administrator whose browser signed in before, and a refusal never tells which names
/// exist. The clients come from distinct loopback addresses (127.0.0.x), which the server tells apart.
/// </summary>
public sealed partial class SignInThrottleTests() : ChatAppTests(new Dictionary<string, string?>
{
    ["Admin:LoginPermitLimit"] = PerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["Admin:AccountLoginPermitLimit"] = PerAccount.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    private const int PerAddress = 3;
    private const int PerAccount = 5;
    private const string Password = AdminSession.DefaultPassword;

    [Fact]
    public async Task A_strangers_failed_sign_ins_from_other_addresses_do_not_stop_the_administrator_signing_in()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", Password);
        using var administrator = App.CreateChatClient(); // 127.0.0.1
        using (var first = await AdminSession.SubmitLoginAsync(administrator, "root", Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        // A stranger spends every allowance there is at the account, from address after address.
        var refused = 0;
        for (var host = 2; host < 2 + (PerAccount / PerAddress) + 2; host++)
        {
            using var stranger = ClientFrom(host);
            for (var attempt = 0; attempt < PerAddress; attempt++)
            {
                using var guess = await AdminSession.SubmitLoginAsync(stranger, "root", $"guess {host}.{attempt}");
                refused += guess.StatusCode == HttpStatusCode.TooManyRequests ? 1 : 0;
            }
        }
        Assert.True(refused > 0, "the stranger should have reached the per-account limit");
        using (var unknownBrowser = ClientFrom(40))
        using (var stillLimited = await AdminSession.SubmitLoginAsync(unknownBrowser, "root", Password))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, stillLimited.StatusCode); // the limit holds for new browsers
        }

        // The administrator's browser, which signed in before, still gets in with the password.
        using var again = await AdminSession.SubmitLoginAsync(administrator, "root", Password);

        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal("/admin", again.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_browser_remembered_for_one_account_is_not_remembered_for_another()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", Password);
        await AdminSession.CreateAdministratorAsync(App, "second", Password);
        using var browser = App.CreateChatClient();
        (await AdminSession.SubmitLoginAsync(browser, "root", Password)).Dispose();
        for (var host = 2; host < 2 + PerAccount; host++)
        {
            using var stranger = ClientFrom(host);
            (await AdminSession.SubmitLoginAsync(stranger, "second", "guess")).Dispose();
        }

        using var refused = await AdminSession.SubmitLoginAsync(browser, "second", Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task Names_that_exist_and_names_that_do_not_are_answered_alike_before_and_after_the_limit()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", Password);
        using var onExisting = ClientFrom(2);
        using var onUnknown = ClientFrom(3);

        var existing = await AttemptsAsync(onExisting, "root");
        var unknown = await AttemptsAsync(onUnknown, "nobody-by-this-name");

        Assert.Equal(existing.Select(a => a.Status), unknown.Select(a => a.Status));
        Assert.Equal(HttpStatusCode.TooManyRequests, existing[^1].Status);
        Assert.Equal(existing.Select(a => a.RetryAfter), unknown.Select(a => a.RetryAfter));
        for (var i = 0; i < existing.Count; i++)
        {
            Assert.Equal(existing[i].Body, unknown[i].Body);
        }
    }

    private static async Task<List<(HttpStatusCode Status, bool RetryAfter, string Body)>> AttemptsAsync(ChatClient client, string userName)
    {
        var answers = new List<(HttpStatusCode, bool, string)>();
        for (var i = 0; i <= PerAddress; i++)
        {
            using var response = await AdminSession.SubmitLoginAsync(client, userName, "wrong password");
            var body = await response.Content.ReadAsStringAsync();
            // What may differ: the form's antiforgery token, the request id, and the name echoed in the box.
            body = AntiforgeryValue().Replace(body, "");
            body = RequestId().Replace(body, "");
            body = TraceId().Replace(body, "");
            body = body.Replace(userName, "NAME", StringComparison.Ordinal);
            answers.Add((response.StatusCode, response.Headers.RetryAfter is not null, body));
        }
        return answers;
    }

    [GeneratedRegex("value=\"CfDJ8[^\"]*\"")]
    private static partial Regex AntiforgeryValue();

    [GeneratedRegex("""<code>[^<]*</code>""")]
    private static partial Regex RequestId();

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();

    [Fact]
    public async Task Simultaneous_guesses_from_many_addresses_are_evaluated_no_more_often_than_the_account_limit()
    {
        await AdminSession.CreateAdministratorAsync(App, "root", Password);
        const int guessers = 60;
        var clients = Enumerable.Range(2, guessers).Select(ClientFrom).ToList();
        try
        {
            // Each loads the form first, so that the posts themselves go out together.
            var forms = await Task.WhenAll(clients.Select(LoginFieldsAsync));
            var answers = await Task.WhenAll(clients.Select((client, i) =>
            {
                var fields = new Dictionary<string, string>(forms[i]) { ["UserName"] = "root", ["Password"] = $"guess {i}" };
                return client.Http.PostAsync("admin/login", new FormUrlEncodedContent(fields));
            }));
            var statuses = answers.Select(a => a.StatusCode).ToList();
            foreach (var answer in answers)
            {
                answer.Dispose();
            }

            await using var db = App.CreateDbContext();
            var evaluated = await db.AuditEntries.CountAsync(e => e.Action == AuditAction.SignInFailed);
            Assert.Equal(PerAccount, evaluated);
            Assert.Equal(PerAccount, statuses.Count(s => s == HttpStatusCode.Unauthorized));
            Assert.Equal(guessers - PerAccount, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Mistyping_the_current_password_while_changing_it_never_blocks_signing_in()
    {
        using var admin = await AdminSession.SignInAsync(App);

        for (var i = 0; i < PerAddress + 1; i++)
        {
            using var typo = await admin.SubmitFormAsync("admin/password", "form[action='/admin/password']", new Dictionary<string, string>
            {
                ["CurrentPassword"] = $"typo {i}",
                ["NewPassword"] = "a brand new long password",
                ["ConfirmPassword"] = "a brand new long password",
            });
            Assert.Equal(HttpStatusCode.OK, typo.StatusCode);
        }
        using var elsewhere = App.CreateChatClient(); // same address, another browser
        using var signIn = await AdminSession.SubmitLoginAsync(elsewhere, admin.UserName, Password);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    private ChatClient ClientFrom(int host) =>
        new(App.BaseAddress, handler => handler.ConnectCallback = LoopbackSource.ConnectFrom(IPAddress.Parse($"127.0.0.{host}")));

    private static async Task<Dictionary<string, string>> LoginFieldsAsync(ChatClient client)
    {
        var page = await client.GetDocumentAsync("admin/login");
        var form = page.QuerySelector<IHtmlFormElement>("form#login-form")!;
        return form.Elements.OfType<IHtmlInputElement>()
            .Where(input => !string.IsNullOrEmpty(input.Name) && input.Type is not ("submit" or "button"))
            .ToDictionary(input => input.Name!, input => input.Value);
    }
}
