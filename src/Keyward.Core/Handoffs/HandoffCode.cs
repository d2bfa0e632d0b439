namespace Keyward.Core.Handoffs;

/// <summary>What a redeemed handoff code was bound to. Never holds the code.</summary>
/// <param name="Id">The code's id (for the audit record).</param>
/// <param name="Host">The app host it was issued for.</param>
/// <param name="SessionId">The session on Keyward's origin that asked for it (the parent of the app session).</param>
/// <param name="Challenge">base64url SHA-256 of the verifier in the app host's pre-auth cookie.</param>
/// <param name="ReturnPath">The path on the app host to land on.</param>
public sealed record HandoffCode(Guid Id, string Host, Guid SessionId, string Challenge, string ReturnPath);
