using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Keyward.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Support : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "join_tokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TokenHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    SupportSessionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LoginSessionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UsesLeft = table.Column<int>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_join_tokens", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "support_codes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CodeHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    SupportSessionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UsesLeft = table.Column<int>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_support_codes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "support_sessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    MachineId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LoginSessionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Attended = table.Column<bool>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EndedReason = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    BytesToAgent = table.Column<long>(type: "INTEGER", nullable: false),
                    BytesToViewer = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_support_sessions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_join_tokens_ExpiresAt",
                table: "join_tokens",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_join_tokens_LoginSessionId",
                table: "join_tokens",
                column: "LoginSessionId");

            migrationBuilder.CreateIndex(
                name: "IX_join_tokens_SupportSessionId",
                table: "join_tokens",
                column: "SupportSessionId");

            migrationBuilder.CreateIndex(
                name: "IX_join_tokens_TokenHash",
                table: "join_tokens",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_support_codes_CodeHash",
                table: "support_codes",
                column: "CodeHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_support_codes_ExpiresAt",
                table: "support_codes",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_support_codes_SupportSessionId",
                table: "support_codes",
                column: "SupportSessionId");

            migrationBuilder.CreateIndex(
                name: "IX_support_sessions_ExpiresAt",
                table: "support_sessions",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_support_sessions_MachineId",
                table: "support_sessions",
                column: "MachineId");

            migrationBuilder.CreateIndex(
                name: "IX_support_sessions_TenantId_AccountId",
                table: "support_sessions",
                columns: new[] { "TenantId", "AccountId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "join_tokens");

            migrationBuilder.DropTable(
                name: "support_codes");

            migrationBuilder.DropTable(
                name: "support_sessions");
        }
    }
}
