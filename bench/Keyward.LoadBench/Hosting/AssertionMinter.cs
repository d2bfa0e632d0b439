using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Keyward.Core.Sessions;

namespace Keyward.LoadBench.Hosting;

/// <summary>
/// Mints the <c>Keyward-Assertion</c> that the direct and plain-YARP paths send, so that all three paths end at the
/// same authenticated increment. It is what Keyward's <c>AssertionIssuer</c> makes for the same session and route:
/// the same JOSE header, the same claims in the same order, a 60 s lifetime, signed with Keyward's current key from
/// <c>&lt;data&gt;/keys</c> — the counter verifies it against Keyward's JWKS like any other.
/// </summary>
internal sealed class AssertionMinter : IDisposable
{
    /// <summary>Keyward's assertion lifetime (<c>Keyward:Assertions:Lifetime</c> default and maximum).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    private readonly ECDsa _key;
    private readonly string _header;
    private readonly string _issuer;
    private readonly string _audience;
    private readonly SessionInfo _session;
    private readonly TimeProvider _time;

    public AssertionMinter(string keysDirectory, string issuer, string audience, SessionInfo session, TimeProvider time)
    {
        // Files are assertion-<unix seconds>-<kid>.pem; the newest one signs (SigningKeyStore).
        var newest = Directory.EnumerateFiles(keysDirectory, "assertion-*.pem")
            .Select(path => (Path: path, Parts: Path.GetFileNameWithoutExtension(path).Split('-', 3)))
            .Where(f => f.Parts.Length == 3 && long.TryParse(f.Parts[1], CultureInfo.InvariantCulture, out _))
            .OrderBy(f => long.Parse(f.Parts[1], CultureInfo.InvariantCulture))
            .LastOrDefault();
        if (newest.Path is null)
        {
            throw new InvalidOperationException($"Keyward has no assertion signing key in {keysDirectory}.");
        }

        _key = ECDsa.Create();
        _key.ImportFromPem(File.ReadAllText(newest.Path));
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alg"] = "ES256",
            ["typ"] = "kw-id+jwt",
            ["kid"] = newest.Parts[2],
        });
        _header = Base64Url.EncodeToString(header);
        _issuer = issuer;
        _audience = audience;
        _session = session;
        _time = time;
    }

    /// <summary>A fresh assertion, valid for <see cref="Lifetime"/> from now.</summary>
    public string Mint()
    {
        var now = _time.GetUtcNow();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("iss", _issuer);
            w.WriteString("aud", _audience);
            w.WriteString("sub", _session.AccountId.ToString());
            w.WriteString("name", _session.AccountName);
            w.WriteString("role", _session.Role);
            w.WriteString("sid", _session.Id.ToString());
            w.WriteStartArray("amr");
            w.WriteStringValue("hwk");
            if (_session.UserVerified)
            {
                w.WriteStringValue("uv");
            }

            w.WriteEndArray();
            w.WriteNumber("auth_time", _session.CreatedAt.ToUnixTimeSeconds());
            w.WriteNumber("iat", now.ToUnixTimeSeconds());
            w.WriteNumber("exp", (now + Lifetime).ToUnixTimeSeconds());
            w.WriteString("jti", Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
            w.WriteEndObject();
        }

        var signingInput = _header + "." + Base64Url.EncodeToString(buffer.ToArray());
        // JWS ES256 (RFC 7518 §3.4): the raw r‖s form, not DER.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose() => _key.Dispose();
}
