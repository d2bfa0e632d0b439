namespace Keyward.Core.Audit;

/// <summary>An RFC 6962 §2.1.1 audit path: the event's leaf hash and the hashes from its sibling up to the root.</summary>
public sealed record AuditInclusionProof(long Sequence, long TreeSize, byte[] LeafHash, IReadOnlyList<byte[]> Path);
