using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Keyward.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Capabilities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "capability_scopes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    OperatorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ActorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ActorKind = table.Column<int>(type: "INTEGER", nullable: false),
                    Operations = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    DataClasses = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Prefixes = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    GrantedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedBy = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_capability_scopes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "scope_nonces",
                columns: table => new
                {
                    OperatorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ActorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Nonce = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_scope_nonces", x => new { x.OperatorId, x.ActorId });
                });

            migrationBuilder.CreateTable(
                name: "service_identities",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Label = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    KeyHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedBy = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_service_identities", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_capability_scopes_OperatorId",
                table: "capability_scopes",
                column: "OperatorId");

            migrationBuilder.CreateIndex(
                name: "IX_capability_scopes_TenantId_ActorId_RevokedAt",
                table: "capability_scopes",
                columns: new[] { "TenantId", "ActorId", "RevokedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_service_identities_KeyHash",
                table: "service_identities",
                column: "KeyHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_service_identities_TenantId_CreatedAt",
                table: "service_identities",
                columns: new[] { "TenantId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "capability_scopes");

            migrationBuilder.DropTable(
                name: "scope_nonces");

            migrationBuilder.DropTable(
                name: "service_identities");
        }
    }
}
