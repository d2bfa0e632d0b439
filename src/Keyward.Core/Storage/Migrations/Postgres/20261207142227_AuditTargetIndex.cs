using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Keyward.Core.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AuditTargetIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_audit_events_Target_Time",
                table: "audit_events",
                columns: new[] { "Target", "Time" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_audit_events_Target_Time",
                table: "audit_events");
        }
    }
}
