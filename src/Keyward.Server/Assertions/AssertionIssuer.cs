using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Keyward.Core.Sessions;
using Keyward.Server.Http;
using Keyward.WebAuthn;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Assertions;

/// <summary>
/// Makes the <c>Keyward-Assertion</c> JWT (ES256, <c>typ: kw-id+jwt</c>) for a session and route. An assertion is
/// reused for its session and route until a quarter of its lifetime is left, so signing stays off the hot path.
/// </summary>
internal sealed class AssertionIssuer(SigningKeyStore keys, IOptions<KeywardOptions> keyward, IOptions<AssertionOptions> options, TimeProvider time)
{
    public const string Type = "kw-id+jwt";

    private readonly ConcurrentDictionary<(Guid Session, string Route), (string Token, long RenewAt, long ExpiresAt)> _cache = new();
    private readonly string _issuer = keyward.Value.EffectiveOrigin;
    private readonly TimeSpan _lifetime = options.Value.Lifetime;

    /// <summary>An assertion for the session and route, from the cache while fresh.</summary>
    public string Issue(SessionInfo session, string route)
    {
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        if (_cache.TryGetValue((session.Id, route), out var cached) && nowMs < cached.RenewAt)
        {
            return cached.Token;
        }

        var key = keys.Current;
        var exp = now + _lifetime;
        var token = Sign(key, session, route, now, exp);
        var lifetimeMs = (long)_lifetime.TotalMilliseconds;
        _cache[(session.Id, route)] = (token, nowMs + (lifetimeMs * 3 / 4), exp.ToUnixTimeMilliseconds());
        if (_cache.Count > 100_000)
        {
            foreach (var pair in _cache.Where(p => p.Value.ExpiresAt <= nowMs).ToList())
            {
                _cache.TryRemove(pair.Key, out _);
            }
        }

        return token;
    }

    /// <summary>Forgets cached assertions of an ended session.</summary>
    public void Forget(Guid sessionId)
    {
        foreach (var key in _cache.Keys.Where(k => k.Session == sessionId).ToList())
        {
            _cache.TryRemove(key, out _);
        }
    }

    private string Sign(SigningKey key, SessionInfo session, string route, DateTimeOffset now, DateTimeOffset exp)
    {
        // Written as they are (`"typ":"kw-id+jwt"`, names in their own script), not \u002B-escaped: see KeywardJson.
        var relaxed = new JsonWriterOptions { Encoder = KeywardJson.Encoder };
        using var headerBuffer = new MemoryStream();
        using (var h = new Utf8JsonWriter(headerBuffer, relaxed))
        {
            h.WriteStartObject();
            h.WriteString("alg", "ES256");
            h.WriteString("typ", Type);
            h.WriteString("kid", key.KeyId);
            h.WriteEndObject();
        }

        var header = headerBuffer.ToArray();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, relaxed))
        {
            w.WriteStartObject();
            w.WriteString("iss", _issuer);
            w.WriteString("aud", route);
            w.WriteString("sub", session.AccountId.ToString());
            w.WriteString("name", session.AccountName);
            w.WriteString("role", session.Role);
            w.WriteString("sid", session.Id.ToString());
            w.WriteStartArray("amr");
            w.WriteStringValue("hwk");
            if (session.UserVerified)
            {
                w.WriteStringValue("uv");
            }

            w.WriteEndArray();
            w.WriteNumber("auth_time", session.CreatedAt.ToUnixTimeSeconds());
            w.WriteNumber("iat", now.ToUnixTimeSeconds());
            w.WriteNumber("exp", exp.ToUnixTimeSeconds());
            w.WriteString("jti", Base64Url.Encode(RandomNumberGenerator.GetBytes(16)));
            w.WriteEndObject();
        }

        var signingInput = Base64Url.Encode(header) + "." + Base64Url.Encode(buffer.ToArray());
        // JWS ES256 (RFC 7518 §3.4): the raw r‖s form, not DER.
        var signature = key.Key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.Encode(signature);
    }
}
