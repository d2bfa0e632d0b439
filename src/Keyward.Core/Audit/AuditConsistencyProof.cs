namespace Keyward.Core.Audit;

/// <summary>An RFC 6962 §2.1.2 consistency proof between two tree sizes.</summary>
public sealed record AuditConsistencyProof(long First, long Second, IReadOnlyList<byte[]> Path);
