using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace SseChat.Web.Data;

/// <summary>
/// The chat's one model. Each database provider has a subclass of its own (<see cref="SqliteChatDbContext"/>,
/// <see cref="PostgresChatDbContext"/>) only so that each has its own migrations set; the app asks for this type.
/// </summary>
public abstract class ChatDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Room> Rooms => Set<Room>();

    public DbSet<RoomEvent> RoomEvents => Set<RoomEvent>();

    public DbSet<Administrator> Administrators => Set<Administrator>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<DatabaseEpoch> DatabaseEpochs => Set<DatabaseEpoch>();

    /// <summary>The Data Protection key ring, shared by every node so that one node's cookies and tokens work on all.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ChatDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type: EF stores DateTime as text and reads it back with Kind=Unspecified. Every
        // timestamp here is UTC, so say so on the way out; JSON then carries the trailing "Z". PostgreSQL's
        // timestamptz takes only UTC values, which the same conversion guarantees on the way in.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }
}
