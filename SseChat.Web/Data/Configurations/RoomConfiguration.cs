using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SseChat.Web.Data.Configurations;

internal sealed class RoomConfiguration : IEntityTypeConfiguration<Room>
{
    public void Configure(EntityTypeBuilder<Room> room)
    {
        room.Property(r => r.Slug).HasMaxLength(Room.SlugMaxLength);
        room.HasIndex(r => r.Slug).IsUnique();
        room.Property(r => r.Name).HasMaxLength(Room.NameMaxLength);
        room.Property(r => r.Topic).HasMaxLength(Room.TopicMaxLength);

        // Room "general" exists on first run: seeded by the initial migration, not by start-up code.
        room.HasData(new Room
        {
            Id = 1,
            Slug = Room.GeneralSlug,
            Name = "General",
            Topic = "Anything goes.",
            LastSeq = 0,
            CreatedAt = new DateTime(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc),
        });
    }
}
