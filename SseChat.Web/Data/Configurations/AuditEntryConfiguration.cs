using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SseChat.Web.Data.Configurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.Property(e => e.Actor).HasMaxLength(Administrator.UserNameMaxLength);
        entry.Property(e => e.Target).HasMaxLength(200);
        entry.Property(e => e.Detail).HasMaxLength(500);
        entry.HasIndex(e => e.At);
        entry.HasIndex(e => new { e.Actor, e.Action, e.At }); // the per-account sign-in limit counts recent failures
    }
}
