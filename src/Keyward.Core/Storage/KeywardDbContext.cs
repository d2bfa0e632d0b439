using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Storage;

/// <summary>
/// The one EF Core model. Provider-specific subclasses (<see cref="SqliteKeywardDbContext"/>,
/// <see cref="PostgresKeywardDbContext"/>) exist only so each provider keeps its own migrations.
/// </summary>
public abstract class KeywardDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<TenantEntity> Tenants => Set<TenantEntity>();
    public DbSet<AccountEntity> Accounts => Set<AccountEntity>();
    public DbSet<AuthenticatorEntity> Authenticators => Set<AuthenticatorEntity>();
    public DbSet<InviteEntity> Invites => Set<InviteEntity>();
    public DbSet<SetupCodeEntity> SetupCodes => Set<SetupCodeEntity>();
    public DbSet<SessionEntity> Sessions => Set<SessionEntity>();
    public DbSet<CeremonyEntity> Ceremonies => Set<CeremonyEntity>();
    public DbSet<AuditEventEntity> AuditEvents => Set<AuditEventEntity>();
    public DbSet<AuditNodeEntity> AuditNodes => Set<AuditNodeEntity>();
    public DbSet<AuditTreeHeadEntity> AuditTreeHeads => Set<AuditTreeHeadEntity>();
    public DbSet<WebSocketTicketEntity> WebSocketTickets => Set<WebSocketTicketEntity>();
    public DbSet<StepUpEntity> StepUps => Set<StepUpEntity>();
    public DbSet<RecoveryCodeEntity> RecoveryCodes => Set<RecoveryCodeEntity>();
    public DbSet<HandoffCodeEntity> HandoffCodes => Set<HandoffCodeEntity>();
    public DbSet<AppSessionEntity> AppSessions => Set<AppSessionEntity>();
    public DbSet<EnrollTokenEntity> EnrollTokens => Set<EnrollTokenEntity>();
    public DbSet<MachineEntity> Machines => Set<MachineEntity>();
    public DbSet<SupportSessionEntity> SupportSessions => Set<SupportSessionEntity>();
    public DbSet<SupportCodeEntity> SupportCodes => Set<SupportCodeEntity>();
    public DbSet<JoinTokenEntity> JoinTokens => Set<JoinTokenEntity>();
    public DbSet<ApprovalPolicyEntity> ApprovalPolicies => Set<ApprovalPolicyEntity>();
    public DbSet<ApprovalPolicyKindEntity> ApprovalPolicyKinds => Set<ApprovalPolicyKindEntity>();
    public DbSet<ApprovalGroupEntity> ApprovalGroups => Set<ApprovalGroupEntity>();
    public DbSet<ApprovalMemberEntity> ApprovalMembers => Set<ApprovalMemberEntity>();
    public DbSet<ApprovalOperatorEntity> ApprovalOperators => Set<ApprovalOperatorEntity>();
    public DbSet<ApprovalRequestEntity> ApprovalRequests => Set<ApprovalRequestEntity>();
    public DbSet<ApprovalVoteEntity> ApprovalVotes => Set<ApprovalVoteEntity>();
    public DbSet<VaultEpochEntity> VaultEpochs => Set<VaultEpochEntity>();
    public DbSet<VaultSecretEntity> VaultSecrets => Set<VaultSecretEntity>();
    public DbSet<ServiceIdentityEntity> ServiceIdentities => Set<ServiceIdentityEntity>();
    public DbSet<CapabilityScopeEntity> CapabilityScopes => Set<CapabilityScopeEntity>();
    public DbSet<ScopeNonceEntity> ScopeNonces => Set<ScopeNonceEntity>();
    public DbSet<SigningKeyEntity> SigningKeys => Set<SigningKeyEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<TenantEntity>(e =>
        {
            e.ToTable("tenants");
            e.HasKey(t => t.Id);
            e.Property(t => t.Id).HasMaxLength(64);
            e.Property(t => t.Name).HasMaxLength(200);
        });
        modelBuilder.Entity<AccountEntity>(e =>
        {
            e.ToTable("accounts");
            e.HasKey(a => a.Id);
            e.Property(a => a.TenantId).HasMaxLength(64);
            e.Property(a => a.Name).HasMaxLength(200);
            e.Property(a => a.Role).HasMaxLength(32);
            e.HasIndex(a => new { a.TenantId, a.Name }).IsUnique();
            e.HasIndex(a => a.UserHandle).IsUnique();
        });
        modelBuilder.Entity<AuthenticatorEntity>(e =>
        {
            e.ToTable("authenticators");
            e.HasKey(a => a.Id);
            e.Property(a => a.TenantId).HasMaxLength(64);
            e.Property(a => a.Name).HasMaxLength(200);
            e.Property(a => a.Format).HasMaxLength(32);
            e.Property(a => a.Transports).HasMaxLength(200);
            e.HasIndex(a => a.CredentialId).IsUnique();
            e.HasIndex(a => a.AccountId);
        });
        modelBuilder.Entity<InviteEntity>(e =>
        {
            e.ToTable("invites");
            e.HasKey(i => i.Id);
            e.Property(i => i.TenantId).HasMaxLength(64);
            e.Property(i => i.AccountName).HasMaxLength(200);
            e.Property(i => i.Role).HasMaxLength(32);
            e.HasIndex(i => i.TokenHash).IsUnique();
        });
        modelBuilder.Entity<SetupCodeEntity>(e =>
        {
            e.ToTable("setup_codes");
            e.HasKey(s => s.Id);
            e.HasIndex(s => s.CodeHash).IsUnique();
        });
        modelBuilder.Entity<SessionEntity>(e =>
        {
            e.ToTable("sessions");
            e.HasKey(s => s.Id);
            e.Property(s => s.TenantId).HasMaxLength(64);
            e.Property(s => s.RevokedReason).HasMaxLength(64);
            e.Property(s => s.ClientAddress).HasMaxLength(64);
            e.Property(s => s.ClientDevice).HasMaxLength(Keyward.Core.Sessions.DeviceLabel.MaxLength);
            e.HasIndex(s => s.TokenHash).IsUnique();
            e.HasIndex(s => s.AccountId);
            e.HasIndex(s => s.AuthenticatorId);
        });
        modelBuilder.Entity<CeremonyEntity>(e =>
        {
            e.ToTable("ceremonies");
            e.HasKey(c => c.Id);
            e.Property(c => c.TenantId).HasMaxLength(64);
            e.Property(c => c.Kind).HasMaxLength(32);
            e.HasIndex(c => c.ExpiresAt);
        });
        modelBuilder.Entity<AuditEventEntity>(e =>
        {
            e.ToTable("audit_events");
            e.HasKey(a => a.Sequence);
            e.Property(a => a.Sequence).ValueGeneratedNever();
            e.Property(a => a.TenantId).HasMaxLength(64);
            e.Property(a => a.Actor).HasMaxLength(200);
            e.Property(a => a.Action).HasMaxLength(100);
            e.Property(a => a.Target).HasMaxLength(400);
            e.Property(a => a.Outcome).HasMaxLength(64);
            e.Property(a => a.ClientAddress).HasMaxLength(64);
            e.HasIndex(a => a.Time);
            e.HasIndex(a => new { a.Actor, a.Time });
            // A person's own events (GET /api/account/events) are those they did or that were done to them.
            e.HasIndex(a => new { a.Target, a.Time });
            e.HasIndex(a => new { a.Action, a.Time });
        });
        modelBuilder.Entity<AuditNodeEntity>(e =>
        {
            e.ToTable("audit_nodes");
            e.HasKey(n => new { n.Level, n.Index });
        });
        modelBuilder.Entity<AuditTreeHeadEntity>(e =>
        {
            e.ToTable("audit_tree_heads");
            e.HasKey(h => h.TreeSize);
            e.Property(h => h.TreeSize).ValueGeneratedNever();
            e.Property(h => h.KeyId).HasMaxLength(64);
        });
        modelBuilder.Entity<WebSocketTicketEntity>(e =>
        {
            e.ToTable("websocket_tickets");
            e.HasKey(t => t.Id);
            e.Property(t => t.TenantId).HasMaxLength(64);
            e.Property(t => t.RouteId).HasMaxLength(100);
            e.Property(t => t.Origin).HasMaxLength(300);
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasIndex(t => t.ExpiresAt);
        });
        modelBuilder.Entity<StepUpEntity>(e =>
        {
            e.ToTable("step_ups");
            e.HasKey(s => s.Id);
            e.Property(s => s.TenantId).HasMaxLength(64);
            e.Property(s => s.Purpose).HasMaxLength(64);
            e.Property(s => s.Target).HasMaxLength(100);
            e.HasIndex(s => new { s.SessionId, s.Purpose, s.Target });
            e.HasIndex(s => s.ExpiresAt);
        });
        modelBuilder.Entity<RecoveryCodeEntity>(e =>
        {
            e.ToTable("recovery_codes");
            e.HasKey(r => r.Id);
            e.Property(r => r.TenantId).HasMaxLength(64);
            e.HasIndex(r => r.AccountId);
        });
        modelBuilder.Entity<HandoffCodeEntity>(e =>
        {
            e.ToTable("handoff_codes");
            e.HasKey(h => h.Id);
            e.Property(h => h.TenantId).HasMaxLength(64);
            e.Property(h => h.Host).HasMaxLength(253);
            e.Property(h => h.Challenge).HasMaxLength(64);
            e.Property(h => h.ReturnPath).HasMaxLength(2048);
            e.HasIndex(h => h.CodeHash).IsUnique();
            e.HasIndex(h => h.ExpiresAt);
        });
        modelBuilder.Entity<AppSessionEntity>(e =>
        {
            e.ToTable("app_sessions");
            e.HasKey(a => a.Id);
            e.Property(a => a.TenantId).HasMaxLength(64);
            e.Property(a => a.Host).HasMaxLength(253);
            e.HasIndex(a => a.TokenHash).IsUnique();
            e.HasIndex(a => a.SessionId);
            e.HasIndex(a => a.ExpiresAt);
        });
        OnAgentsCreating(modelBuilder);
        OnSupportCreating(modelBuilder);
        OnQuorumCreating(modelBuilder);
        OnVaultCreating(modelBuilder);
        OnCapabilitiesCreating(modelBuilder);
    }

    // Actors, scopes and capability tokens (docs/capabilities.md, "Storage").
    private static void OnCapabilitiesCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ServiceIdentityEntity>(e =>
        {
            e.ToTable("service_identities");
            e.HasKey(s => s.Id);
            e.Property(s => s.TenantId).HasMaxLength(64);
            e.Property(s => s.Label).HasMaxLength(200);
            e.HasIndex(s => s.KeyHash).IsUnique();
            e.HasIndex(s => new { s.TenantId, s.CreatedAt });
        });
        modelBuilder.Entity<CapabilityScopeEntity>(e =>
        {
            e.ToTable("capability_scopes");
            e.HasKey(s => s.Id);
            e.Property(s => s.TenantId).HasMaxLength(64);
            e.Property(s => s.Operations).HasMaxLength(100);
            e.Property(s => s.DataClasses).HasMaxLength(1000);
            e.Property(s => s.Prefixes).HasMaxLength(4000);
            e.HasIndex(s => new { s.TenantId, s.ActorId, s.RevokedAt });
            e.HasIndex(s => s.OperatorId);
        });
        modelBuilder.Entity<ScopeNonceEntity>(e =>
        {
            e.ToTable("scope_nonces");
            e.HasKey(n => new { n.OperatorId, n.ActorId });
            e.Property(n => n.TenantId).HasMaxLength(64);
        });
    }

    // M-of-N approvals (docs/approvals.md, "Storage").
    private static void OnQuorumCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ApprovalPolicyEntity>(e =>
        {
            e.ToTable("approval_policies");
            e.HasKey(p => p.Id);
            e.Property(p => p.TenantId).HasMaxLength(64);
            e.Property(p => p.Name).HasMaxLength(200);
            e.HasIndex(p => new { p.TenantId, p.Name }).IsUnique();
        });
        modelBuilder.Entity<ApprovalPolicyKindEntity>(e =>
        {
            e.ToTable("approval_policy_kinds");
            e.HasKey(k => k.Id);
            e.Property(k => k.TenantId).HasMaxLength(64);
            e.HasIndex(k => new { k.TenantId, k.Kind }).IsUnique();
            e.HasIndex(k => k.PolicyId);
        });
        modelBuilder.Entity<ApprovalGroupEntity>(e =>
        {
            e.ToTable("approval_groups");
            e.HasKey(g => g.Id);
            e.Property(g => g.TenantId).HasMaxLength(64);
            e.Property(g => g.Name).HasMaxLength(100);
            e.HasIndex(g => new { g.PolicyId, g.Name }).IsUnique();
        });
        modelBuilder.Entity<ApprovalMemberEntity>(e =>
        {
            e.ToTable("approval_members");
            e.HasKey(m => m.Id);
            e.Property(m => m.TenantId).HasMaxLength(64);
            // One group per account per policy: a vote counts for exactly one group.
            e.HasIndex(m => new { m.PolicyId, m.AccountId }).IsUnique();
            e.HasIndex(m => m.GroupId);
            e.HasIndex(m => m.AccountId);
        });
        modelBuilder.Entity<ApprovalOperatorEntity>(e =>
        {
            e.ToTable("approval_operators");
            e.HasKey(o => o.AccountId);
            e.Property(o => o.TenantId).HasMaxLength(64);
        });
        modelBuilder.Entity<ApprovalRequestEntity>(e =>
        {
            e.ToTable("approval_requests");
            e.HasKey(r => r.Id);
            e.Property(r => r.TenantId).HasMaxLength(64);
            e.Property(r => r.Target).HasMaxLength(400);
            e.Property(r => r.State).HasMaxLength(16);
            e.HasIndex(r => r.Challenge);
            e.HasIndex(r => new { r.TenantId, r.State, r.ExpiresAt });
        });
        modelBuilder.Entity<ApprovalVoteEntity>(e =>
        {
            e.ToTable("approval_votes");
            e.HasKey(v => v.Id);
            e.Property(v => v.TenantId).HasMaxLength(64);
            // Distinct accounts and distinct authenticators per request, enforced by the database as well.
            e.HasIndex(v => new { v.RequestId, v.AccountId }).IsUnique();
            e.HasIndex(v => new { v.RequestId, v.AuthenticatorId }).IsUnique();
        });
    }

    // The vault's tables (docs/vault.md, "Storage").
    private static void OnVaultCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SigningKeyEntity>(e =>
        {
            e.ToTable("signing_keys");
            e.HasKey(k => new { k.Purpose, k.KeyId });
            e.Property(k => k.Purpose).HasMaxLength(16);
            e.Property(k => k.KeyId).HasMaxLength(64);
            e.Property(k => k.PublicJwk).HasMaxLength(400);
        });
        modelBuilder.Entity<VaultEpochEntity>(e =>
        {
            e.ToTable("vault_epochs");
            e.HasKey(v => v.Epoch);
            e.Property(v => v.Epoch).ValueGeneratedNever();
            e.Property(v => v.State).HasMaxLength(16);
            e.Property(v => v.KeyId).HasMaxLength(64);
        });
        modelBuilder.Entity<VaultSecretEntity>(e =>
        {
            e.ToTable("vault_secrets");
            e.HasKey(v => v.Id);
            e.Property(v => v.Id).ValueGeneratedOnAdd();
            e.Property(v => v.TenantId).HasMaxLength(64);
            e.Property(v => v.DataClass).HasMaxLength(32);
            e.Property(v => v.Path).HasMaxLength(256);
            e.HasIndex(v => new { v.TenantId, v.DataClass, v.OperatorId, v.ActorId, v.Path, v.Version }).IsUnique().HasDatabaseName("IX_vault_secrets_address_version");
            e.HasIndex(v => v.Epoch);
        });
    }

    // The agent plane's tables (docs/remote-support.md, "Data").
    private static void OnAgentsCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<EnrollTokenEntity>(e =>
        {
            e.ToTable("enroll_tokens");
            e.HasKey(t => t.Id);
            e.Property(t => t.TenantId).HasMaxLength(64);
            e.Property(t => t.Label).HasMaxLength(200);
            e.Property(t => t.Policy).HasMaxLength(16);
            e.Property(t => t.JoinAccounts).HasMaxLength(4000);
            e.Property(t => t.JoinRoles).HasMaxLength(200);
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasIndex(t => t.ExpiresAt);
        });
        modelBuilder.Entity<MachineEntity>(e =>
        {
            e.ToTable("machines");
            e.HasKey(m => m.Id);
            e.Property(m => m.TenantId).HasMaxLength(64);
            e.Property(m => m.Label).HasMaxLength(200);
            e.Property(m => m.Policy).HasMaxLength(16);
            e.Property(m => m.JoinAccounts).HasMaxLength(4000);
            e.Property(m => m.JoinRoles).HasMaxLength(200);
            e.Property(m => m.Hostname).HasMaxLength(253);
            e.Property(m => m.Version).HasMaxLength(64);
            e.HasIndex(m => m.KeyHash).IsUnique();
            e.HasIndex(m => new { m.TenantId, m.DeletedAt });
        });
    }

    // Remote support's tables (docs/remote-support.md, "Data").
    private static void OnSupportCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SupportSessionEntity>(e =>
        {
            e.ToTable("support_sessions");
            e.HasKey(s => s.Id);
            e.Property(s => s.TenantId).HasMaxLength(64);
            e.Property(s => s.Reason).HasMaxLength(500);
            e.Property(s => s.State).HasMaxLength(16);
            e.Property(s => s.EndedReason).HasMaxLength(64);
            e.HasIndex(s => new { s.TenantId, s.AccountId });
            e.HasIndex(s => s.MachineId);
            e.HasIndex(s => s.ExpiresAt);
        });
        modelBuilder.Entity<SupportCodeEntity>(e =>
        {
            e.ToTable("support_codes");
            e.HasKey(c => c.Id);
            e.Property(c => c.TenantId).HasMaxLength(64);
            e.HasIndex(c => c.CodeHash).IsUnique();
            e.HasIndex(c => c.SupportSessionId);
            e.HasIndex(c => c.ExpiresAt);
        });
        modelBuilder.Entity<JoinTokenEntity>(e =>
        {
            e.ToTable("join_tokens");
            e.HasKey(j => j.Id);
            e.Property(j => j.TenantId).HasMaxLength(64);
            e.HasIndex(j => j.TokenHash).IsUnique();
            e.HasIndex(j => j.LoginSessionId);
            e.HasIndex(j => j.SupportSessionId);
            e.HasIndex(j => j.ExpiresAt);
        });
    }
}
