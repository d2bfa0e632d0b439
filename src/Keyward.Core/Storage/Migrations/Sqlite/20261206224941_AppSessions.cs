using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Keyward.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AppSessions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "app_sessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TokenHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Host = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    SessionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_app_sessions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "handoff_codes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CodeHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Host = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    SessionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Challenge = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ReturnPath = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    UsesLeft = table.Column<int>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_handoff_codes", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_app_sessions_ExpiresAt",
                table: "app_sessions",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_app_sessions_SessionId",
                table: "app_sessions",
                column: "SessionId");

            migrationBuilder.CreateIndex(
                name: "IX_app_sessions_TokenHash",
                table: "app_sessions",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_handoff_codes_CodeHash",
                table: "handoff_codes",
                column: "CodeHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_handoff_codes_ExpiresAt",
                table: "handoff_codes",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "app_sessions");

            migrationBuilder.DropTable(
                name: "handoff_codes");
        }
    }
}
