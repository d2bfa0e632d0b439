using System.Text.Json.Nodes;

namespace Keyward.WebAuthn.Conformance;

/// <summary>Runs one <see cref="VectorCase"/> through <see cref="RelyingParty"/> and reports the outcome as JSON.</summary>
public static class VectorCaseRunner
{
    /// <summary>
    /// Verifies the case's response as a relying party configured from the case would. The report always has
    /// <c>result</c> (<c>pass</c> or <c>fail</c>), <c>code</c> (null, or a <see cref="WebAuthnErrorCode"/>'s stable
    /// code) and a plain <c>message</c>; a pass adds what was verified (credential id, key, counter, flags, …).
    /// </summary>
    /// <param name="c">The case.</param>
    /// <param name="base64">How binary members of the response are decoded.</param>
    /// <param name="allowSha1">Accept RS1 credential keys (<see cref="RelyingPartyPolicy.DangerousAllowSha1"/>).</param>
    /// <param name="requireTrust">Refuse attestation that does not chain to the case's trust anchors.</param>
    /// <returns>Whether the response verified, and the report.</returns>
    public static (bool Passed, JsonObject Report) Run(VectorCase c, Base64Policy base64 = Base64Policy.Strict, bool allowSha1 = false, bool requireTrust = false)
    {
        var policy = new RelyingPartyPolicy
        {
            RpId = c.RpId,
            Origins = c.Origins,
            AllowCrossOrigin = c.AllowCrossOrigin,
            AllowedTopOrigins = c.AllowedTopOrigins,
            TrustAnchors = c.TrustAnchors,
            Base64 = base64,
            DangerousAllowSha1 = allowSha1,
            AttestationTrust = requireTrust ? AttestationTrustPolicy.RequireTrusted : AttestationTrustPolicy.Report,
        };
        var invalid = policy.Validate();
        if (invalid.Count > 0)
        {
            return Fail(new WebAuthnFailure(WebAuthnErrorCode.MalformedResponse, "the case's relying party settings are invalid: " + string.Join(" ", invalid)));
        }

        var time = c.VerificationTime is { } t ? new FixedTimeProvider(t) : TimeProvider.System;
        var rp = new RelyingParty(policy, time);
        var uv = c.RequireUserVerification ? UserVerificationRequirement.Required : UserVerificationRequirement.Preferred;
        return c.Ceremony == "registration" ? Register(rp, c, uv, base64) : Authenticate(rp, c, uv, base64);
    }

    private static (bool, JsonObject) Register(RelyingParty rp, VectorCase c, UserVerificationRequirement uv, Base64Policy base64)
    {
        var credential = RegistrationCredential.Parse(c.Response, base64);
        if (!credential.Succeeded)
        {
            return Fail(credential.Failure);
        }

        var result = rp.VerifyRegistration(credential.Value, new RegistrationCeremony
        {
            Challenge = c.Challenge,
            Algorithms = c.Algorithms,
            UserVerification = uv,
            RequireUserPresence = c.RequireUserPresence,
            VerificationTime = c.VerificationTime,
        });
        if (!result.Succeeded)
        {
            return Fail(result.Failure);
        }

        var r = result.Value;
        return (true, new JsonObject
        {
            ["result"] = "pass",
            ["code"] = null,
            ["message"] = $"Registration verified: {r.Format} attestation ({r.AttestationType}{(r.TrustPath.Count > 0 ? r.AttestationTrusted ? ", chains to a trust anchor" : ", not chained to a configured trust anchor" : string.Empty)}), {r.PublicKey} key.",
            ["fmt"] = r.Format,
            ["attestationType"] = r.AttestationType.ToString().ToLowerInvariant(),
            ["attestationTrusted"] = r.AttestationTrusted,
            ["credentialId"] = Base64Url.Encode(r.CredentialId),
            ["credentialPublicKey"] = Base64Url.Encode(r.PublicKey.Encoded),
            ["alg"] = (int)r.PublicKey.Algorithm,
            ["signCount"] = r.SignCount,
            ["flags"] = (int)r.Flags,
            ["aaguid"] = Convert.ToHexStringLower(r.Aaguid),
        });
    }

    private static (bool, JsonObject) Authenticate(RelyingParty rp, VectorCase c, UserVerificationRequirement uv, Base64Policy base64)
    {
        var credential = AuthenticationCredential.Parse(c.Response, base64);
        if (!credential.Succeeded)
        {
            return Fail(credential.Failure);
        }

        // A case does not model accounts: the stored record belongs to whichever user handle the response names.
        var stored = new StoredCredential
        {
            CredentialId = credential.Value.RawId,
            PublicKey = c.CredentialPublicKey!,
            UserHandle = credential.Value.UserHandle ?? [],
            SignCount = c.StoredSignCount,
            BackupEligible = c.StoredBackupEligible,
        };
        var result = rp.VerifyAssertion(credential.Value, new AssertionCeremony
        {
            Challenge = c.Challenge,
            UserVerification = uv,
            UserIdentified = true,
        }, stored);
        if (!result.Succeeded)
        {
            return Fail(result.Failure);
        }

        var r = result.Value;
        return (true, new JsonObject
        {
            ["result"] = "pass",
            ["code"] = null,
            ["message"] = $"Assertion verified; new signature counter {r.SignCount}{(r.PossibleClone ? " (counter did not increase: possible clone)" : string.Empty)}.",
            ["credentialId"] = Base64Url.Encode(r.CredentialId),
            ["signCount"] = r.SignCount,
            ["flags"] = (int)r.Flags,
            ["userVerified"] = r.UserVerified,
            ["possibleClone"] = r.PossibleClone,
        });
    }

    private static (bool, JsonObject) Fail(WebAuthnFailure failure) => (false, new JsonObject
    {
        ["result"] = "fail",
        ["code"] = failure.Code,
        ["message"] = failure.Message,
    });

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
