namespace Keyward.Core.Audit;

/// <summary>A recorded audit event: an <see cref="AuditRecord"/> with its place in the log, its time and its leaf hash.</summary>
public sealed record AuditEvent
{
    /// <summary>The position in the log, from 0, with no gaps; also the leaf index in the Merkle tree.</summary>
    public required long Sequence { get; init; }

    /// <summary>When it was recorded, in Unix milliseconds.</summary>
    public required long Time { get; init; }

    /// <summary>The tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Who acted.</summary>
    public required string Actor { get; init; }

    /// <summary>What was decided (<see cref="AuditActions"/>).</summary>
    public required string Action { get; init; }

    /// <summary>What it was about, or null.</summary>
    public string? Target { get; init; }

    /// <summary>The outcome (<see cref="AuditOutcomes"/>).</summary>
    public required string Outcome { get; init; }

    /// <summary>The client's address, or null.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>Extra facts.</summary>
    public required IReadOnlyDictionary<string, string> Details { get; init; }

    /// <summary>The stored leaf hash: SHA-256(0x00 ‖ <see cref="AuditCanonical.Encode(AuditEvent)"/>).</summary>
    public byte[] LeafHash { get; init; } = [];

    /// <summary><see cref="Time"/> as an instant.</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(Time);
}
