using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.Extensions.DependencyInjection;
using SseChat.Web.Admin;

namespace SseChat.Tests.Infrastructure;

/// <summary>
/// A browser-like client signed in to the admin area through the real sign-in form. Submits admin forms as
/// rendered (antiforgery token included) and follows nothing automatically, so redirects can be asserted.
/// </summary>
public sealed class AdminSession : IDisposable
{
    public const string DefaultPassword = "correct horse battery staple";

    private AdminSession(ChatClient client, string userName)
    {
        Client = client;
        UserName = userName;
    }

    public ChatClient Client { get; }

    public string UserName { get; }

    public HttpClient Http => Client.Http;

    /// <summary>Creates (or resets) the administrator directly, then signs in through /admin/login.</summary>
    public static async Task<AdminSession> SignInAsync(
        ChatApplication app, string userName = "root", string password = DefaultPassword)
    {
        await CreateAdministratorAsync(app, userName, password);
        var client = app.CreateChatClient();
        using var response = await SubmitLoginAsync(client, userName, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return new AdminSession(client, userName);
    }

    public static async Task CreateAdministratorAsync(ChatApplication app, string userName, string password, bool mustChange = false)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AdministratorAccounts>()
            .SetPasswordAsync(userName, password, mustChange, CancellationToken.None);
    }

    /// <summary>Posts the sign-in form as rendered, with the given credentials.</summary>
    public static async Task<HttpResponseMessage> SubmitLoginAsync(ChatClient client, string userName, string password)
    {
        var fields = await FormFieldsAsync(client, "admin/login", "form#login-form");
        fields["UserName"] = userName;
        fields["Password"] = password;
        return await client.Http.PostAsync("admin/login", new FormUrlEncodedContent(fields));
    }

    /// <summary>Loads <paramref name="pagePath"/> and posts its form (the first match of the selector) with changes.</summary>
    public async Task<HttpResponseMessage> SubmitFormAsync(
        string pagePath, string formSelector, IReadOnlyDictionary<string, string>? values = null)
    {
        var page = await Client.GetDocumentAsync(pagePath);
        var form = page.QuerySelector<IHtmlFormElement>(formSelector)
            ?? throw new InvalidOperationException($"{pagePath} has no form matching {formSelector}.");
        var fields = FieldsOf(form);
        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            fields[name] = value;
        }
        return await Http.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent(fields));
    }

    /// <summary>Posts to an admin action with this session's antiforgery token, as a page's button would.</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, IReadOnlyDictionary<string, string>? values = null, bool acceptJson = false)
    {
        var fields = await FormFieldsAsync(Client, "admin", "main nav form"); // the sign-out form carries a token
        var body = new Dictionary<string, string> { ["__RequestVerificationToken"] = fields["__RequestVerificationToken"] };
        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            body[name] = value;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(body) };
        if (acceptJson)
        {
            request.Headers.Accept.ParseAdd("application/json");
        }
        return await Http.SendAsync(request);
    }

    public static async Task<Dictionary<string, string>> FormFieldsAsync(ChatClient client, string pagePath, string formSelector)
    {
        var page = await client.GetDocumentAsync(pagePath);
        var form = page.QuerySelector<IHtmlFormElement>(formSelector)
            ?? throw new InvalidOperationException($"{pagePath} has no form matching {formSelector}.");
        return FieldsOf(form);
    }

    private static Dictionary<string, string> FieldsOf(IHtmlFormElement form) =>
        form.Elements.OfType<IHtmlInputElement>()
            .Where(input => !string.IsNullOrEmpty(input.Name) && input.Type is not ("submit" or "button"))
            .ToDictionary(input => input.Name!, input => input.Value);

    public void Dispose() => Client.Dispose();
}
