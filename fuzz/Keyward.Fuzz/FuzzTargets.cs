namespace Keyward.Fuzz;

/// <summary>The assemblies SharpFuzz instruments for each harness (AFL++ sees coverage only in these).</summary>
internal static class FuzzTargets
{
    /// <summary>The WebAuthn parsers and the CBOR reader under them.</summary>
    public static readonly IReadOnlyList<string> WebAuthn = ["Keyward.WebAuthn.dll", "System.Formats.Cbor.dll"];

    /// <summary>The assertion validator and the JWT library it drives.</summary>
    public static readonly IReadOnlyList<string> Assertion = ["Keyward.AspNetCore.dll", "Microsoft.IdentityModel.JsonWebTokens.dll", "Microsoft.IdentityModel.Tokens.dll"];

    /// <summary>The audit export reader.</summary>
    public static readonly IReadOnlyList<string> Audit = ["Keyward.Core.dll"];
}
