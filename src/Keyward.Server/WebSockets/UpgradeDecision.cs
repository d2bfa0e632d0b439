using Keyward.Server.Http;

namespace Keyward.Server.WebSockets;

/// <summary>The gate's answer to an upgrade: who may open it, or why not.</summary>
/// <param name="Grant">Who the socket is for, when allowed.</param>
/// <param name="Refusal">Why not, otherwise.</param>
/// <param name="Credential">What was presented, redacted to its first 8 characters, for the audit record.</param>
/// <param name="Actor">Who asked, when known (the ticket's account), for the audit record.</param>
/// <param name="Internal">True when the internal credential was presented (audited as internal_credential.refused).</param>
/// <param name="Known">
/// True when a credential Keyward issued was found (a real ticket, a live app session): its refusal is one audit event,
/// never a count (<see cref="Audit.UnauthenticatedRefusals"/>).
/// </param>
internal sealed record UpgradeDecision(RelayIdentity? Grant, KeywardError? Refusal, string? Credential, string? Actor = null, bool Internal = false, bool Known = false);
