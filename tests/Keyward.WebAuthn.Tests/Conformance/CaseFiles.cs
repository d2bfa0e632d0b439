using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.WebAuthn.Tests.Verification;

namespace Keyward.WebAuthn.Tests.Conformance;

/// <summary>Case files (the JSON read by <c>keyward webauthn verify</c>) built around a <see cref="ResponseBuilder"/>.</summary>
internal static class CaseFiles
{
    /// <summary>A valid authentication case for the builder's signed assertion.</summary>
    public static JsonObject Authentication(ResponseBuilder b) => new()
    {
        ["ceremony"] = "authentication",
        ["rpId"] = ResponseBuilder.RpId,
        ["origin"] = ResponseBuilder.Origin,
        ["challenge"] = Base64Url.Encode(b.Challenge),
        ["credentialPublicKey"] = Base64Url.Encode(b.CoseKey()),
        ["storedSignCount"] = 4,
        ["response"] = b.AssertionJson(),
    };

    /// <summary>Parses the case as the CLI does.</summary>
    public static JsonElement Element(JsonObject c) => JsonDocument.Parse(c.ToJsonString()).RootElement.Clone();
}
