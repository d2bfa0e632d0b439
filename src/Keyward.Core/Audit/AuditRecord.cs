namespace Keyward.Core.Audit;

/// <summary>
/// One security decision to record: who, what, on what, with which outcome, from where. Never a secret: a
/// credential appears at most as its first 8 characters (<see cref="Credentials.SecretToken.Redact"/>).
/// </summary>
public sealed record AuditRecord
{
    /// <summary>Who acted: an account name, <c>anonymous</c>, or <c>system</c>.</summary>
    public required string Actor { get; init; }

    /// <summary>What was decided, dotted and stable, e.g. <c>signin.succeeded</c> (see <see cref="AuditActions"/>).</summary>
    public required string Action { get; init; }

    /// <summary>What it was about: a session id, route, account, key id… or null.</summary>
    public string? Target { get; init; }

    /// <summary><see cref="AuditOutcomes.Success"/>, <see cref="AuditOutcomes.Denied"/> or <see cref="AuditOutcomes.Failure"/>.</summary>
    public required string Outcome { get; init; }

    /// <summary>The client's address, when there is a client.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>Extra facts (error codes, counts, names). Values must not hold secrets.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    /// <summary>The tenant; the default tenant unless tenancy is configured.</summary>
    public string TenantId { get; init; } = Storage.Tenants.Default;

    /// <summary>
    /// When the decision was taken, in Unix milliseconds, for an event recorded later than it happened (a revocation
    /// drained from the <see cref="AuditSpool"/>); null, the rule everywhere else, means "now".
    /// </summary>
    public long? OriginalTime { get; init; }
}
