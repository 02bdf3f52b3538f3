using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SseChat.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AdministratorAuthorsIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_RoomEvents_AdministratorAuthors",
                table: "RoomEvents",
                column: "Author",
                filter: "\"AuthorIsAdmin\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_RoomEvents_AdministratorAuthors",
                table: "RoomEvents");
        }
    }
}
