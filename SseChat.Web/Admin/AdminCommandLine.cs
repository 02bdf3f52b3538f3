using System.Text;

namespace SseChat.Web.Admin;

/// <summary>
/// <c>dotnet run --project SseChat.Web -- admin set-password &lt;name&gt;</c>: sets (or creates) an administrator's
/// password from the operator's terminal, for the first sign-in or a forgotten password. The password is read from
/// standard input (typed without echo, or piped); an empty one is replaced by a generated one, printed once.
/// It speaks English whatever the machine's culture, like the server's log: it is an operator's tool, not the UI.
/// </summary>
internal static class AdminCommandLine
{
    private const string Usage = "usage: admin set-password <name>   (reads the password from standard input)";

    /// <summary>Runs the command when the arguments ask for one; false when they do not (the app then serves).</summary>
    public static async Task<bool> TryRunAdminCommandAsync(this WebApplication app, string[] args)
    {
        if (args.Length == 0 || args[0] != "admin")
        {
            return false;
        }
        if (args is not [_, "set-password", var userName] || string.IsNullOrWhiteSpace(userName))
        {
            await Console.Error.WriteLineAsync(Usage);
            Environment.ExitCode = 2;
            return true;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AdministratorAccounts>();
        var password = ReadPassword($"New password for '{userName}' (empty: generate one): ");
        var generated = string.IsNullOrEmpty(password);
        if (generated)
        {
            password = AdministratorAccounts.GeneratePassword();
        }
        else if (!accounts.IsAcceptableNewPassword(password))
        {
            await Console.Error.WriteLineAsync($"Choose a password of at least {accounts.MinimumPasswordLength} characters.");
            Environment.ExitCode = 1;
            return true;
        }

        await accounts.SetPasswordAsync(userName.Trim(), password, mustChange: generated, CancellationToken.None);
        await scope.ServiceProvider.GetRequiredService<AuditLog>()
            .RecordAsync(AuditLog.CommandLineActor, Data.AuditAction.PasswordChanged, userName.Trim());
        Console.WriteLine(generated
            ? $"Password of '{userName.Trim()}' set to: {password}  (to be changed at first sign-in)"
            : $"Password of '{userName.Trim()}' set. Their other sessions are signed out.");
        return true;
    }

    private static string ReadPassword(string prompt)
    {
        if (Console.IsInputRedirected)
        {
            return Console.ReadLine() ?? "";
        }
        Console.Write(prompt);
        var password = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
        Console.WriteLine();
        return password.ToString();
    }
}
