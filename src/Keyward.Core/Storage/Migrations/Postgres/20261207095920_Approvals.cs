using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Keyward.Core.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Approvals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "approval_groups",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PolicyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Threshold = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_approval_groups", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "approval_members",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PolicyId = table.Column<Guid>(type: "uuid", nullable: false),
                    GroupId = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    DisabledAt = table.Column<long>(type: "bigint", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_approval_members", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "approval_operators",
                columns: table => new
                {
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Nonce = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_approval_operators", x => x.AccountId);
                });

            migrationBuilder.CreateTable(
                name: "approval_policies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    AllowSyncedPasskeys = table.Column<bool>(type: "boolean", nullable: false),
                    StrandedAt = table.Column<long>(type: "bigint", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_approval_policies", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "approval_policy_kinds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PolicyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_approval_policy_kinds", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "approval_requests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PolicyId = table.Column<Guid>(type: "uuid", nullable: false),
                    OperatorAccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProposedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Target = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Parameters = table.Column<byte[]>(type: "bytea", nullable: false),
                    ParametersDigest = table.Column<byte[]>(type: "bytea", nullable: false),
                    Nonce = table.Column<long>(type: "bigint", nullable: false),
                    Challenge = table.Column<byte[]>(type: "bytea", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false),
                    LastVoteAt = table.Column<long>(type: "bigint", nullable: true),
                    ClosedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_approval_requests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "approval_votes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    GroupId = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    AuthenticatorId = table.Column<Guid>(type: "uuid", nullable: false),
                    SignCount = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_approval_votes", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_approval_groups_PolicyId_Name",
                table: "approval_groups",
                columns: new[] { "PolicyId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_approval_members_AccountId",
                table: "approval_members",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_approval_members_GroupId",
                table: "approval_members",
                column: "GroupId");

            migrationBuilder.CreateIndex(
                name: "IX_approval_members_PolicyId_AccountId",
                table: "approval_members",
                columns: new[] { "PolicyId", "AccountId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_approval_policies_TenantId_Name",
                table: "approval_policies",
                columns: new[] { "TenantId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_approval_policy_kinds_PolicyId",
                table: "approval_policy_kinds",
                column: "PolicyId");

            migrationBuilder.CreateIndex(
                name: "IX_approval_policy_kinds_TenantId_Kind",
                table: "approval_policy_kinds",
                columns: new[] { "TenantId", "Kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_approval_requests_Challenge",
                table: "approval_requests",
                column: "Challenge");

            migrationBuilder.CreateIndex(
                name: "IX_approval_requests_TenantId_State_ExpiresAt",
                table: "approval_requests",
                columns: new[] { "TenantId", "State", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_approval_votes_RequestId_AccountId",
                table: "approval_votes",
                columns: new[] { "RequestId", "AccountId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_approval_votes_RequestId_AuthenticatorId",
                table: "approval_votes",
                columns: new[] { "RequestId", "AuthenticatorId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "approval_groups");

            migrationBuilder.DropTable(
                name: "approval_members");

            migrationBuilder.DropTable(
                name: "approval_operators");

            migrationBuilder.DropTable(
                name: "approval_policies");

            migrationBuilder.DropTable(
                name: "approval_policy_kinds");

            migrationBuilder.DropTable(
                name: "approval_requests");

            migrationBuilder.DropTable(
                name: "approval_votes");
        }
    }
}
