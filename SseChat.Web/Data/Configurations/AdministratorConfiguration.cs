using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SseChat.Web.Data.Configurations;

internal sealed class AdministratorConfiguration : IEntityTypeConfiguration<Administrator>
{
    public void Configure(EntityTypeBuilder<Administrator> administrator)
    {
        // "Admin" and "admin" are one person: compare names without case, so neither sign-in nor the
        // set-password command can make a second account out of a different spelling.
        administrator.Property(a => a.UserName).HasMaxLength(Administrator.UserNameMaxLength).UseCollation("NOCASE");
        administrator.HasIndex(a => a.UserName).IsUnique();
    }
}
