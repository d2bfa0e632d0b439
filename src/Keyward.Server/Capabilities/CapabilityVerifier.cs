using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Keyward.Core.Capabilities;
using Keyward.Server.Http;
using Keyward.WebAuthn;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Capabilities;

/// <summary>
/// The real <see cref="ICapabilityVerifier"/>, in order: the shape (three base64url parts, at most
/// <see cref="MaxLength"/> characters), the header (<c>alg</c> ES256, <c>typ</c> exactly <c>kw-cap+jwt</c>, a
/// <c>kid</c> of a capability key: an identity assertion's key is unknown here), the signature, every claim present
/// and well typed with this Keyward's issuer and the vault audience (all <c>cap_invalid</c>); then expiry on the
/// injected clock (<c>cap_expired</c>); last, one look at the store: the scope is live, still the (operator, actor)'s,
/// its nonce has not moved on and the actor is active (<c>cap_scope_revoked</c>).
/// </summary>
internal sealed class CapabilityVerifier(CapabilityKeyStore keys, ScopeService scopes, IOptions<KeywardOptions> keyward, TimeProvider time) : ICapabilityVerifier
{
    /// <summary>The longest token accepted, in characters.</summary>
    public const int MaxLength = 4096;

    private readonly string _issuer = keyward.Value.EffectiveOrigin;

    public async ValueTask<CapabilityCheck> VerifyAsync(string token, CancellationToken cancellationToken = default)
    {
        if (Read(token) is not { } capability)
        {
            return CapabilityCheck.Refused(KeywardErrors.CapInvalid.Code);
        }

        if (time.GetUtcNow() >= capability.ExpiresAt)
        {
            return CapabilityCheck.Refused(KeywardErrors.CapExpired.Code);
        }

        var stands = await scopes.StandsAsync(capability.ScopeId, capability.OperatorId, capability.ActorId, capability.ActorKind, capability.ScopeNonce, cancellationToken).ConfigureAwait(false);
        return stands ? CapabilityCheck.Accepted(capability) : CapabilityCheck.Refused(KeywardErrors.CapScopeRevoked.Code);
    }

    /// <summary>The capability a token carries when its shape, header, signature and claims are all right; otherwise null.</summary>
    internal Capability? Read(string? token)
    {
        if (token is null || token.Length > MaxLength)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || !Base64Url.TryDecode(parts[0], out var headerBytes) || !Base64Url.TryDecode(parts[1], out var payloadBytes)
            || !Base64Url.TryDecode(parts[2], out var signature) || signature.Length != 64)
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            var h = header.RootElement;
            if (h.ValueKind != JsonValueKind.Object || Text(h, "alg") != "ES256" || Text(h, "typ") != CapabilityClaims.Type
                || Text(h, "kid") is not { } kid || keys.Find(kid) is not { } key)
            {
                return null;
            }

            var signed = Encoding.ASCII.GetBytes(string.Concat(parts[0], ".", parts[1]));
            if (!key.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return null;
            }

            using var payload = JsonDocument.Parse(payloadBytes);
            return Claims(payload.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private Capability? Claims(JsonElement c)
    {
        if (c.ValueKind != JsonValueKind.Object || Text(c, "iss") != _issuer || Text(c, "aud") != CapabilityClaims.Audience
            || !Guid.TryParse(Text(c, "jti"), out var jti) || !Guid.TryParse(Text(c, "sub"), out var actor)
            || !Guid.TryParse(Text(c, CapabilityClaims.Operator), out var operatorId) || !Guid.TryParse(Text(c, CapabilityClaims.Scope), out var scope)
            || ScopeRules.ParseKind(Text(c, CapabilityClaims.ActorKind)) is not { } kind
            || Text(c, CapabilityClaims.Tenant) is not { Length: > 0 } tenant
            || Text(c, CapabilityClaims.Operation) is not { } operation || !CapabilityOperations.IsDefined(operation)
            || Text(c, CapabilityClaims.DataClass) is not { } dataClass || Text(c, CapabilityClaims.Path) is not { } path
            || !c.TryGetProperty(CapabilityClaims.ScopeNonce, out var nonce) || nonce.ValueKind != JsonValueKind.Number || !nonce.TryGetInt64(out var scopeNonce)
            || !c.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || !exp.TryGetInt64(out var expires)
            || expires is < 0 or > 253402300799)
        {
            return null;
        }

        return new Capability(jti, tenant, operatorId, actor, kind, operation, dataClass, path, scope, scopeNonce, DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
