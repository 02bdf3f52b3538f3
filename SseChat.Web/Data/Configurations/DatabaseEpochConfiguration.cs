using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SseChat.Web.Data.Configurations;

internal sealed class DatabaseEpochConfiguration : IEntityTypeConfiguration<DatabaseEpoch>
{
    public void Configure(EntityTypeBuilder<DatabaseEpoch> epoch)
    {
        // One row, written by the migration that creates it (with the provider's random()), never by the app's model.
        epoch.Property(e => e.Id).ValueGeneratedNever();
    }
}
