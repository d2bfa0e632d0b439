using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Keyward.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StepUpAndRecovery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "AccountId",
                table: "setup_codes",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "AccountId",
                table: "invites",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "recovery_codes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CodeHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_recovery_codes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "step_ups",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SessionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AuthenticatorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_step_ups", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_recovery_codes_AccountId",
                table: "recovery_codes",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_step_ups_ExpiresAt",
                table: "step_ups",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_step_ups_SessionId_Purpose_Target",
                table: "step_ups",
                columns: new[] { "SessionId", "Purpose", "Target" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "recovery_codes");

            migrationBuilder.DropTable(
                name: "step_ups");

            migrationBuilder.DropColumn(
                name: "AccountId",
                table: "setup_codes");

            migrationBuilder.DropColumn(
                name: "AccountId",
                table: "invites");
        }
    }
}
