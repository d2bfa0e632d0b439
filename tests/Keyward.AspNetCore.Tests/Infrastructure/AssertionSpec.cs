using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Keyward.AspNetCore.Tests.Infrastructure;

/// <summary>An identity assertion as Keyward's proxy mints it, with every part overridable for negative tests.</summary>
public sealed record AssertionSpec
{
    public required string Issuer { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public string Audience { get; init; } = "counter";

    public string Subject { get; init; } = "acc_0001";

    public string Name { get; init; } = "alice";

    public string? SessionId { get; init; } = "ses_0001";

    public string[] Amr { get; init; } = ["hwk", "uv"];

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromSeconds(60);

    public DateTimeOffset? NotBefore { get; init; }

    public string Type { get; init; } = "kw-id+jwt";

    public bool IncludeIssuedAt { get; init; } = true;

    public string Mint(TestSigningKey key) => Mint(key.Credentials());

    public string Mint(SigningCredentials? credentials)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = Subject,
            ["name"] = Name,
            ["amr"] = Amr,
            ["auth_time"] = IssuedAt.AddMinutes(-1).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (SessionId is not null)
        {
            claims["sid"] = SessionId;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Expires = (IssuedAt + Lifetime).UtcDateTime,
            NotBefore = NotBefore?.UtcDateTime,
            Claims = claims,
            SigningCredentials = credentials,
            TokenType = Type,
        };
        if (IncludeIssuedAt)
        {
            descriptor.IssuedAt = IssuedAt.UtcDateTime;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>
    /// Edits one part (0 header, 1 payload) of a compact JWS as JSON text and signs the result again with the real key
    /// (ES256, P1363 signature), so only the edit can make the token fail.
    /// </summary>
    public static string EditAndResign(string token, int index, Func<string, string> edit, TestSigningKey key)
    {
        var parts = ReplacePart(token, index, edit).Split('.');
        var signature = key.Ecdsa.SignData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), System.Security.Cryptography.HashAlgorithmName.SHA256);
        return parts[0] + "." + parts[1] + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>Replaces one part (0 header, 1 payload) of a compact JWS with new JSON, keeping the other parts.</summary>
    public static string ReplacePart(string token, int index, Func<string, string> edit)
    {
        var parts = token.Split('.');
        var json = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[index]));
        parts[index] = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(edit(json)));
        return string.Join('.', parts);
    }
}
