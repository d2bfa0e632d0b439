using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Keyward.Core.Capabilities;
using Keyward.Server.Http;
using Keyward.WebAuthn;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Capabilities;

/// <summary>
/// Signs capability tokens: JWS ES256 with header <c>typ: kw-cap+jwt</c> and the capability key's <c>kid</c>, claims
/// binding tenant, operator, actor and its kind, operation, data class, path, scope and scope nonce, with a fresh
/// <c>jti</c> and <see cref="CapabilityOptions.Lifetime"/>.
/// </summary>
internal sealed class CapabilityIssuer(CapabilityKeyStore keys, IOptions<KeywardOptions> keyward, IOptions<CapabilityOptions> options, TimeProvider time)
{
    private readonly string _issuer = keyward.Value.EffectiveOrigin;

    /// <summary>A token for what <paramref name="scope"/> allows, and the capability it carries.</summary>
    public (string Token, Capability Capability) Issue(CapabilityScope scope, long nonce, string operation, string dataClass, string path)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        var expires = DateTimeOffset.FromUnixTimeSeconds((now + options.Value.Lifetime).ToUnixTimeSeconds());
        var capability = new Capability(Guid.NewGuid(), scope.TenantId, scope.OperatorId, scope.ActorId, scope.ActorKind, operation, dataClass, path, scope.Id, nonce, expires);
        var relaxed = new JsonWriterOptions { Encoder = KeywardJson.Encoder };
        var (keyId, key) = keys.Signer();
        using var headerBuffer = new MemoryStream();
        using (var h = new Utf8JsonWriter(headerBuffer, relaxed))
        {
            h.WriteStartObject();
            h.WriteString("alg", "ES256");
            h.WriteString("typ", CapabilityClaims.Type);
            h.WriteString("kid", keyId);
            h.WriteEndObject();
        }

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, relaxed))
        {
            w.WriteStartObject();
            w.WriteString("iss", _issuer);
            w.WriteString("aud", CapabilityClaims.Audience);
            w.WriteString("sub", capability.ActorId.ToString());
            w.WriteString(CapabilityClaims.ActorKind, ScopeRules.KindName(capability.ActorKind));
            w.WriteString(CapabilityClaims.Tenant, capability.TenantId);
            w.WriteString(CapabilityClaims.Operator, capability.OperatorId.ToString());
            w.WriteString(CapabilityClaims.Operation, operation);
            w.WriteString(CapabilityClaims.DataClass, dataClass);
            w.WriteString(CapabilityClaims.Path, path);
            w.WriteString(CapabilityClaims.Scope, capability.ScopeId.ToString());
            w.WriteNumber(CapabilityClaims.ScopeNonce, nonce);
            w.WriteNumber("iat", now.ToUnixTimeSeconds());
            w.WriteNumber("exp", expires.ToUnixTimeSeconds());
            w.WriteString("jti", capability.TokenId.ToString());
            w.WriteEndObject();
        }

        var signingInput = Base64Url.Encode(headerBuffer.ToArray()) + "." + Base64Url.Encode(buffer.ToArray());
        // JWS ES256 (RFC 7518 §3.4): the raw r‖s form, not DER.
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return (signingInput + "." + Base64Url.Encode(signature), capability);
    }
}
