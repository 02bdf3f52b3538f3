using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace SseChat.Web.Admin;

/// <summary>
/// How many sign-in attempts are evaluated: per account and client address (Admin:LoginPermitLimit), and per
/// account from all addresses (Admin:AccountLoginPermitLimit) unless the browser signed in to it before. Keyed by
/// the name as typed, whether or not such an administrator exists, so a refusal says nothing about which names do.
/// A permit is taken before the password is checked, atomically (System.Threading.RateLimiting's limiters are
/// thread-safe), so simultaneous guesses never get more evaluations than the limit; this replaces counting failures
/// in the audit log afterwards, which let a burst through between the count and the record.
/// In memory, like ASP.NET Core's rate limiter: each server process counts on its own.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> perAccountAndAddress;
    private readonly PartitionedRateLimiter<string> perAccount;

    public SignInThrottle(IOptions<AdminOptions> options)
    {
        var admin = options.Value;
        perAccountAndAddress = PerKeyWindow(admin.LoginPermitLimit, admin.LoginWindow);
        perAccount = PerKeyWindow(admin.AccountLoginPermitLimit, admin.LoginWindow);
    }

    /// <summary>
    /// Takes a permit for one attempt at <paramref name="userName"/> from <paramref name="clientPartition"/>;
    /// false, with how long to wait, when either limit that applies is spent.
    /// </summary>
    public bool TryAdmit(string userName, string clientPartition, bool rememberedBrowser, out TimeSpan retryAfter)
    {
        var account = AccountKey(userName);
        if (!TryAcquire(perAccountAndAddress, $"{clientPartition} {account}", out retryAfter))
        {
            return false;
        }
        return rememberedBrowser || TryAcquire(perAccount, account, out retryAfter);
    }

    /// <summary>
    /// Names compare without case, as the database's NOCASE collation does; folding more than ASCII (as it does not)
    /// only joins counters, which is the safe side.
    /// </summary>
    internal static string AccountKey(string userName) => userName.Trim().ToLowerInvariant();

    private static bool TryAcquire(PartitionedRateLimiter<string> limiter, string key, out TimeSpan retryAfter)
    {
        using var lease = limiter.AttemptAcquire(key);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.Zero;
        return lease.IsAcquired;
    }

    // Idle windows are dropped by the partitioned limiter, so names typed once do not stay in memory.
    private static PartitionedRateLimiter<string> PerKeyWindow(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(
            key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 }));

    public void Dispose()
    {
        perAccountAndAddress.Dispose();
        perAccount.Dispose();
    }
}
