using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SseChat.Web.Data;

namespace SseChat.Web.Admin;

/// <summary>Administrators' passwords: hashed with ASP.NET Core's PasswordHasher, never stored or logged plain.</summary>
public sealed partial class AdministratorAccounts(
    ChatDbContext db,
    IPasswordHasher<Administrator> hasher,
    TimeProvider clock,
    IOptions<AdminOptions> options,
    AdministratorNames administratorNames,
    ILogger<AdministratorAccounts> logger)
{
    /// <summary>The administrator with these credentials, or null; the caller never learns which part was wrong.</summary>
    public async Task<Administrator?> VerifyAsync(string userName, string password, CancellationToken cancellationToken)
    {
        var administrator = await db.Administrators.SingleOrDefaultAsync(a => a.UserName == userName, cancellationToken);
        if (administrator is null)
        {
            // Verify against a hash anyway, so a wrong name costs what a wrong password does and timing reveals nothing.
            hasher.VerifyHashedPassword(new Administrator { UserName = userName }, DummyHash, password);
            return null;
        }
        var verdict = hasher.VerifyHashedPassword(administrator, administrator.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            return null;
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            administrator.PasswordHash = hasher.HashPassword(administrator, password);
            await db.SaveChangesAsync(cancellationToken);
        }
        return administrator;
    }

    // A hash of a random password, made with the same hasher and settings as the real ones.
    private string DummyHash => dummyHash ??= hasher.HashPassword(new Administrator { UserName = "" }, GeneratePassword());

    private static string? dummyHash;

    /// <summary>Ends every session of the administrator, this one included (signing out signs out everywhere).</summary>
    public async Task RenewSecurityStampAsync(string userName, CancellationToken cancellationToken)
    {
        var administrator = await db.Administrators.SingleOrDefaultAsync(a => a.UserName == userName, cancellationToken);
        if (administrator is not null)
        {
            administrator.SecurityStamp = Guid.NewGuid().ToString("N");
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public Task<bool> ExistsAsync(string userName, CancellationToken cancellationToken) =>
        db.Administrators.AnyAsync(a => a.UserName == userName, cancellationToken);

    public Task<Administrator?> FindAsync(string userName, CancellationToken cancellationToken) =>
        db.Administrators.AsNoTracking().SingleOrDefaultAsync(a => a.UserName == userName, cancellationToken);

    /// <summary>
    /// Sets (or, for a new name, creates) an administrator's password and renews the security stamp, which signs
    /// out every session of that administrator.
    /// </summary>
    public async Task<Administrator> SetPasswordAsync(
        string userName, string password, bool mustChange, CancellationToken cancellationToken)
    {
        var administrator = await db.Administrators.SingleOrDefaultAsync(a => a.UserName == userName, cancellationToken);
        if (administrator is null)
        {
            administrator = new Administrator { UserName = userName, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.Administrators.Add(administrator);
        }
        administrator.PasswordHash = hasher.HashPassword(administrator, password);
        administrator.SecurityStamp = Guid.NewGuid().ToString("N");
        administrator.MustChangePassword = mustChange;
        await db.SaveChangesAsync(cancellationToken);
        // Reserved at once in this process; a server already running learns of an account made by the `admin` command
        // (another process) at its next start (docs/protocol.md, "Display names").
        administratorNames.Remember(userName);
        return administrator;
    }

    /// <summary>The shortest new password accepted (Admin:MinimumPasswordLength).</summary>
    public int MinimumPasswordLength => options.Value.MinimumPasswordLength;

    /// <summary>
    /// Whether a new password is long enough. The callers word the refusal: the admin area in the reader's language,
    /// the command line in English.
    /// </summary>
    public bool IsAcceptableNewPassword(string? password) =>
        !string.IsNullOrEmpty(password) && password.Length >= MinimumPasswordLength;

    /// <summary>
    /// On a fresh database there is no administrator and no default password: create one with a generated,
    /// one-time password and print it once to the log, like Jenkins' initial admin password.
    /// </summary>
    public async Task EnsureAnAdministratorExistsAsync(CancellationToken cancellationToken)
    {
        if (await db.Administrators.AnyAsync(cancellationToken))
        {
            return;
        }
        var userName = options.Value.InitialUserName;
        var password = GeneratePassword();
        await SetPasswordAsync(userName, password, mustChange: true, cancellationToken);
        LogInitialPassword(userName, password);
    }

    public static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    // The one deliberate exception to "no secrets in logs": a password that must be changed at first sign-in.
    [LoggerMessage(Level = LogLevel.Warning, Message =
        "No administrator existed, so '{UserName}' was created with the one-time password: {Password} -- sign in at /admin/login and choose a new one. " +
        "To set a password yourself instead: dotnet run --project SseChat.Web -- admin set-password <name>")]
    private partial void LogInitialPassword(string userName, string password);
}
