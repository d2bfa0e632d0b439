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

    /// <summary>Replaces one part (0 header, 1 payload) of a compact JWS with new JSON, keeping the other parts.</summary>
    public static string ReplacePart(string token, int index, Func<string, string> edit)
    {
        var parts = token.Split('.');
        var json = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[index]));
        parts[index] = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(edit(json)));
        return string.Join('.', parts);
    }
}
