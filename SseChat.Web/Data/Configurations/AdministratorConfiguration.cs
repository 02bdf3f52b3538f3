using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SseChat.Web.Data.Configurations;

internal sealed class AdministratorConfiguration : IEntityTypeConfiguration<Administrator>
{
    public void Configure(EntityTypeBuilder<Administrator> administrator)
    {
        // Compared without case in each provider's own way (CaseInsensitiveNames).
        administrator.Property(a => a.UserName).HasMaxLength(Administrator.UserNameMaxLength);
        administrator.HasIndex(a => a.UserName).IsUnique();
    }
}
