using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Keyward.Core.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Agents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "enroll_tokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    TokenHash = table.Column<byte[]>(type: "bytea", nullable: false),
                    Label = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Policy = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    JoinAccounts = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    JoinRoles = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    UsesLeft = table.Column<int>(type: "integer", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    RevokedAt = table.Column<long>(type: "bigint", nullable: true),
                    MachineId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_enroll_tokens", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "machines",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Label = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Policy = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    JoinAccounts = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    JoinRoles = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    KeyHash = table.Column<byte[]>(type: "bytea", nullable: false),
                    EnrollTokenId = table.Column<Guid>(type: "uuid", nullable: false),
                    EnrolledAt = table.Column<long>(type: "bigint", nullable: false),
                    EnrolledBy = table.Column<Guid>(type: "uuid", nullable: true),
                    Hostname = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    Version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    LastSeenAt = table.Column<long>(type: "bigint", nullable: true),
                    KeyRevokedAt = table.Column<long>(type: "bigint", nullable: true),
                    DeletedAt = table.Column<long>(type: "bigint", nullable: true),
                    DeletedBy = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_machines", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_enroll_tokens_ExpiresAt",
                table: "enroll_tokens",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_enroll_tokens_TokenHash",
                table: "enroll_tokens",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_machines_KeyHash",
                table: "machines",
                column: "KeyHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_machines_TenantId_DeletedAt",
                table: "machines",
                columns: new[] { "TenantId", "DeletedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "enroll_tokens");

            migrationBuilder.DropTable(
                name: "machines");
        }
    }
}
