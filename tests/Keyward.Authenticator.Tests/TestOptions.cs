using System.Text.Json.Nodes;
using Keyward.WebAuthn;

namespace Keyward.Authenticator.Tests;

/// <summary>Hand-written WebAuthn L3 options JSON, so unit tests do not depend on the relying party.</summary>
internal static class TestOptions
{
    public const string RpId = "example.org";
    public const string Origin = "https://example.org";

    public static readonly byte[] Challenge = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    public static readonly byte[] UserId = [0xAA, 0xBB, 0xCC, 0xDD, 0x01, 0x02, 0x03, 0x04];

    /// <summary>Fast key files for tests; real ones keep the 600,000-iteration default.</summary>
    public static readonly VirtualAuthenticatorOptions Fast = new() { KeyFileIterations = VirtualAuthenticatorOptions.MinimumKeyFileIterations };

    public static string Creation(
        int[]? algorithms = null,
        string userVerification = "preferred",
        string residentKey = "preferred",
        string attestation = "direct",
        string? rpId = RpId,
        byte[]? userId = null,
        IEnumerable<byte[]>? exclude = null,
        bool credProps = false,
        byte[]? challenge = null)
    {
        var rp = new JsonObject { ["name"] = "Example" };
        if (rpId is not null)
        {
            rp["id"] = rpId;
        }

        var options = new JsonObject
        {
            ["rp"] = rp,
            ["user"] = new JsonObject { ["id"] = Base64Url.Encode(userId ?? UserId), ["name"] = "alice@example.org", ["displayName"] = "Alice" },
            ["challenge"] = Base64Url.Encode(challenge ?? Challenge),
            ["pubKeyCredParams"] = new JsonArray([.. (algorithms ?? [-7]).Select(a => (JsonNode)new JsonObject { ["type"] = "public-key", ["alg"] = a })]),
            ["timeout"] = 60000,
            ["excludeCredentials"] = Descriptors(exclude),
            ["authenticatorSelection"] = new JsonObject { ["residentKey"] = residentKey, ["requireResidentKey"] = residentKey == "required", ["userVerification"] = userVerification },
            ["attestation"] = attestation,
            ["hints"] = new JsonArray(),
        };
        if (credProps)
        {
            options["extensions"] = new JsonObject { ["credProps"] = true };
        }

        return options.ToJsonString();
    }

    public static string Request(IEnumerable<byte[]>? allow = null, string userVerification = "preferred", string? rpId = RpId, byte[]? challenge = null)
    {
        var options = new JsonObject
        {
            ["challenge"] = Base64Url.Encode(challenge ?? Challenge),
            ["timeout"] = 60000,
            ["allowCredentials"] = Descriptors(allow),
            ["userVerification"] = userVerification,
        };
        if (rpId is not null)
        {
            options["rpId"] = rpId;
        }

        return options.ToJsonString();
    }

    private static JsonArray Descriptors(IEnumerable<byte[]>? ids) =>
        new([.. (ids ?? []).Select(id => (JsonNode)new JsonObject { ["type"] = "public-key", ["id"] = Base64Url.Encode(id), ["transports"] = new JsonArray("usb") })]);
}
