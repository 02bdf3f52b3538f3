using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SseChat.Web.Chat;

namespace SseChat.Web.Data.Configurations;

internal sealed class RoomEventConfiguration : IEntityTypeConfiguration<RoomEvent>
{
    public void Configure(EntityTypeBuilder<RoomEvent> roomEvent)
    {
        // (RoomId, Seq) is both the identity and the index that replay and history scan in order.
        roomEvent.HasKey(e => new { e.RoomId, e.Seq });
        roomEvent.Property(e => e.Seq).ValueGeneratedNever();
        roomEvent.HasOne<Room>().WithMany().HasForeignKey(e => e.RoomId).OnDelete(DeleteBehavior.Cascade);

        roomEvent.Property(e => e.Author).HasMaxLength(MessageLimits.AuthorMaxLength);
        roomEvent.Property(e => e.Text).HasMaxLength(MessageLimits.TextMaxStoredLength);
        roomEvent.Property(e => e.ClientMessageId).HasMaxLength(MessageLimits.ClientMessageIdMaxLength);
        roomEvent.Property(e => e.RemovedBy).HasMaxLength(Administrator.UserNameMaxLength);
        roomEvent.Property(e => e.RoomName).HasMaxLength(Room.NameMaxLength);
        roomEvent.Property(e => e.RoomTopic).HasMaxLength(Room.TopicMaxLength);

        // The names administrators posted under (AdministratorNames reads them at start and every few seconds): a
        // partial index holds just those, so the read never scans the messages.
        roomEvent.HasIndex(e => e.Author, "IX_RoomEvents_AdministratorAuthors").HasFilter("\"AuthorIsAdmin\"");

        // The database backs up the writer's duplicate check: one clientMessageId stores at most one message.
        roomEvent.HasIndex(e => new { e.RoomId, e.ClientMessageId })
            .IsUnique()
            .HasFilter("\"ClientMessageId\" IS NOT NULL");
    }
}
