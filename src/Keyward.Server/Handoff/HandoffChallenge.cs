using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Keyward.Server.Handoff;

/// <summary>The PKCE-style pair of the handoff (RFC 7636 S256): a random verifier kept in the app host's pre-auth cookie, and its challenge.</summary>
internal static class HandoffChallenge
{
    /// <summary>The length of a verifier and of a challenge: base64url of 32 bytes, unpadded.</summary>
    public const int Length = 43;

    /// <summary>A new random verifier.</summary>
    public static string NewVerifier() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>base64url(SHA-256(verifier)).</summary>
    public static string Of(string verifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>True for a well-formed challenge (43 base64url characters).</summary>
    public static bool IsWellFormed(string? challenge) =>
        challenge is { Length: Length } && Base64Url.IsValid(challenge) && challenge.AsSpan().IndexOfAny('=', '+', '/') < 0;

    /// <summary>True when <paramref name="verifier"/> hashes to <paramref name="challenge"/>, compared in constant time.</summary>
    public static bool Matches(string? verifier, string challenge)
    {
        if (verifier is not { Length: Length })
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Of(verifier)), Encoding.ASCII.GetBytes(challenge));
    }
}
