using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SseChat.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddAuthorIsAdmin : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "AuthorIsAdmin",
                table: "RoomEvents",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AuthorIsAdmin",
                table: "RoomEvents");
        }
    }
}
