using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SseChat.Web.Data.Migrations.Sqlite
{
    /// <summary>
    /// Audit details used to be English phrases ("by Bob", "name \"Lobby\"", "from 192.0.2.1", "12 events"); they are
    /// now the datum alone, worded by the audit page in the reader's language. This rewrites the entries recorded
    /// before, so that old and new ones read alike. Data only: the model does not change.
    /// </summary>
    public partial class WordlessAuditDetails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // SignedIn = 1, SignInFailed = 2, RoomCreated = 10, RoomEdited = 11, RoomDeleted = 14, MessageRemoved = 20.
            migrationBuilder.Sql("""
                UPDATE "AuditEntries" SET "Detail" = '' WHERE "Action" IN (1, 2) AND "Detail" = 'from an unknown address';
                UPDATE "AuditEntries" SET "Detail" = substr("Detail", 6) WHERE "Action" IN (1, 2) AND "Detail" LIKE 'from %';
                UPDATE "AuditEntries" SET "Detail" = substr("Detail", 7, length("Detail") - 7)
                    WHERE "Action" IN (10, 11) AND "Detail" LIKE 'name "%"';
                UPDATE "AuditEntries" SET "Detail" = substr("Detail", 1, length("Detail") - 7)
                    WHERE "Action" = 14 AND "Detail" LIKE '% events';
                UPDATE "AuditEntries" SET "Detail" = substr("Detail", 4) WHERE "Action" = 20 AND "Detail" LIKE 'by %';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                UPDATE "AuditEntries" SET "Detail" = CASE WHEN "Detail" = '' THEN 'from an unknown address' ELSE 'from ' || "Detail" END
                    WHERE "Action" IN (1, 2);
                UPDATE "AuditEntries" SET "Detail" = 'name "' || "Detail" || '"' WHERE "Action" IN (10, 11) AND "Detail" <> '';
                UPDATE "AuditEntries" SET "Detail" = "Detail" || ' events' WHERE "Action" = 14 AND "Detail" <> '';
                UPDATE "AuditEntries" SET "Detail" = 'by ' || "Detail" WHERE "Action" = 20 AND "Detail" <> '';
                """);
        }
    }
}
