using Keyward.WebAuthn;

namespace Keyward.Authenticator;

/// <summary>The members of PublicKeyCredentialRequestOptionsJSON (WebAuthn L3 §5.5) that the virtual key acts on.</summary>
internal sealed record RequestOptions
{
    public required byte[] Challenge { get; init; }

    /// <summary>rpId, or null to default to the origin's host.</summary>
    public required string? RpId { get; init; }

    /// <summary>allowCredentials ids in the relying party's order; empty for a discoverable sign-in.</summary>
    public required IReadOnlyList<byte[]> AllowCredentials { get; init; }

    public required UserVerificationRequirement UserVerification { get; init; }

    public static AuthenticatorResult<RequestOptions> Parse(string json)
    {
        var parsed = JsonMemberReader.Parse(json);
        if (!parsed.Succeeded)
        {
            return parsed.Failure;
        }

        using var document = parsed.Value;
        var options = JsonMemberReader.Options(document);
        var reader = new JsonMemberReader();
        var challenge = reader.Bytes(options, "challenge", required: true);
        var rpId = reader.String(options, "rpId", required: false);
        var allow = reader.Descriptors(options, "allowCredentials");
        var userVerification = JsonMemberReader.UserVerification(reader.String(options, "userVerification", required: false));
        if (reader.Error is not null)
        {
            return AuthenticatorResult<RequestOptions>.Fail(AuthenticatorError.MalformedOptions, reader.Error);
        }

        return AuthenticatorResult<RequestOptions>.Ok(new RequestOptions
        {
            Challenge = challenge!,
            RpId = rpId,
            AllowCredentials = allow,
            UserVerification = userVerification,
        });
    }
}
