using Keyward.Core.Credentials;

namespace Keyward.Server.Tests.Matrix;

/// <summary>
/// The registry of credential kinds the confusion matrix walks. A new kind adds its entry here (and its issuer's
/// forms); <see cref="ConfusionMatrixTests.EveryCredentialKind_HasARegistryEntry"/> fails while a
/// <see cref="CredentialKind"/> has none.
/// </summary>
internal static class CredentialKinds
{
    public static readonly IReadOnlyList<MatrixKind> All =
    [
        Token(CredentialKind.Session, valid: h => Task.FromResult(h.Admin.Token), expired: true, revoked: true),
        Token(CredentialKind.AppSession, valid: h => Task.FromResult(h.AppCookie), expired: true, revoked: true),
        Token(CredentialKind.WebSocketTicket, valid: h => h.MintTicketAsync(), expired: true, revoked: true),
        Token(CredentialKind.Handoff, valid: h => h.MintHandoffAsync(), expired: true, revoked: true),
        Token(CredentialKind.Invite, valid: h => h.MintInviteAsync(), expired: true, revoked: true),
        // The internal credential lives as long as the process and is never revoked (docs/internal-credential.md): no
        // expired or revoked form. One of an earlier process is, to this one, a well-formed value it never issued: forged.
        Token(CredentialKind.Internal, valid: h => Task.FromResult(h.InternalCredential())),
        Token(CredentialKind.Join, valid: h => h.MintJoinAsync(), expired: true, revoked: true),
        Token(CredentialKind.Enroll, valid: h => h.MintEnrollTokenAsync(), expired: true, revoked: true),

        // An agent key has no lifetime (it lives until revoked or its machine is deleted): no expired form.
        Token(CredentialKind.Agent, valid: h => Task.FromResult(h.AgentKey), revoked: true),

        // A service key likewise lives until an admin revokes it: no expired form.
        Token(CredentialKind.Service, valid: h => Task.FromResult(h.ServiceKey), revoked: true),

        // Live: a fresh break-glass code of the admin (the first admin's code is live only before the fixture's first
        // registration); off its plane it must stay usable (checked by the cell). Expired: one past SignIn:SetupCodeLifetime.
        new("setup code", null, new Dictionary<string, Func<MatrixHost, Task<string>>>
        {
            [MatrixForms.Valid] = h => h.MintSetupCodeAsync(),
            [MatrixForms.Garbage] = _ => Task.FromResult("not a setup code"),
            [MatrixForms.Forged] = _ => Task.FromResult(HumanCode.Generate()),
            [MatrixForms.Expired] = h => Task.FromResult(h.Expired["setup code"]),
            [MatrixForms.Revoked] = h => Task.FromResult(h.SpentSetupCode),
        }),
        // Accepted only at the agent socket, where an ad-hoc agent binds with it (a fresh one per cell: single use).
        new("support code", null, new Dictionary<string, Func<MatrixHost, Task<string>>>
        {
            [MatrixForms.Valid] = h => h.MintSupportCodeAsync(),
            [MatrixForms.Garbage] = _ => Task.FromResult("not a support code"),
            [MatrixForms.Forged] = _ => Task.FromResult(HumanCode.Generate()),
            [MatrixForms.Expired] = h => Task.FromResult(h.Expired["support code"]),
            [MatrixForms.Revoked] = h => Task.FromResult(h.Revoked["support code"]),
        }),
        new("recovery code", null, new Dictionary<string, Func<MatrixHost, Task<string>>>
        {
            [MatrixForms.Valid] = h => Task.FromResult(h.RecoveryCode),
            [MatrixForms.Garbage] = _ => Task.FromResult("not-a-recovery-code"),
            [MatrixForms.Forged] = _ => Task.FromResult(HumanCode.Generate()),

            // One of the admin's codes from before they were regenerated (POST /api/account/recovery-codes).
            [MatrixForms.Revoked] = h => Task.FromResult(h.Revoked["recovery code"]),
        }),

        // No plane accepts an identity assertion (Keyward signs it for upstreams). It is stateless, so it has no revoked
        // form; its expired one was issued before the clock moved past Assertions:Lifetime.
        new("assertion", null, new Dictionary<string, Func<MatrixHost, Task<string>>>
        {
            [MatrixForms.Valid] = h => h.MintAssertionAsync(),
            [MatrixForms.Garbage] = _ => Task.FromResult("eyJhbGciOiJub25lIiwidHlwIjoia3ctaWQrand0In0.eyJzdWIiOiJhZG1pbiJ9."),
            [MatrixForms.Expired] = h => Task.FromResult(h.Expired["assertion"]),
        }),

        // A kw-cap+jwt capability token (docs/capabilities.md) of the matrix's service identity for the vault plane's
        // secret: forged is a live one's header and claims signed by another key; revoked, one whose scope was revoked.
        new("capability", null, new Dictionary<string, Func<MatrixHost, Task<string>>>
        {
            [MatrixForms.Valid] = h => h.MintCapabilityAsync(),
            [MatrixForms.Garbage] = _ => Task.FromResult("eyJhbGciOiJFUzI1NiIsInR5cCI6Imt3LWNhcCtqd3QifQ.not-a-capability.x"),
            [MatrixForms.Forged] = h => h.ForgeCapabilityAsync(),
            [MatrixForms.Expired] = h => Task.FromResult(h.Expired["capability"]),
            [MatrixForms.Revoked] = h => Task.FromResult(h.Revoked["capability"]),
        }),
    ];

    /// <summary>The registry entry named <paramref name="name"/>.</summary>
    public static MatrixKind Named(string name) => All.Single(k => k.Name == name);

    /// <summary>The wire prefix of a token kind, <c>kw&lt;k&gt;_</c>, which is also its name here.</summary>
    public static string NameOf(CredentialKind kind) => SecretToken.Prefix(kind);

    private static MatrixKind Token(CredentialKind kind, Func<MatrixHost, Task<string>>? valid = null, bool expired = false, bool revoked = false)
    {
        var name = NameOf(kind);
        var forms = new Dictionary<string, Func<MatrixHost, Task<string>>>
        {
            [MatrixForms.Garbage] = _ => Task.FromResult(name + "garbage-that-is-not-a-credential"),
            [MatrixForms.Forged] = _ => Task.FromResult(SecretToken.Generate(kind)),
        };
        if (valid is not null)
        {
            forms[MatrixForms.Valid] = valid;
        }

        if (expired)
        {
            forms[MatrixForms.Expired] = h => Task.FromResult(h.Expired[name]);
        }

        if (revoked)
        {
            forms[MatrixForms.Revoked] = h => Task.FromResult(h.Revoked[name]);
        }

        return new MatrixKind(name, kind, forms);
    }
}
