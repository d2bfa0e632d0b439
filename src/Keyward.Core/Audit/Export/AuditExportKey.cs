namespace Keyward.Core.Audit.Export;

/// <summary>
/// A tree-head key in the export header's key history: its public key (DER SubjectPublicKeyInfo) and, when known, the
/// time it signs from and the time it stopped being valid. A head signed outside its key's validity does not verify.
/// </summary>
public sealed record AuditExportKey(byte[] PublicKey, DateTimeOffset? NotBefore = null, DateTimeOffset? RetireAt = null);
