using Keyward.WebAuthn;

namespace Keyward.EndToEnd.Tests.Browser;

/// <summary>What the page reported for one ceremony (window.lastResult), as the relying party and the browser saw it.</summary>
internal sealed record CeremonyOutcome
{
    /// <summary>"register" or "login".</summary>
    public string Ceremony { get; init; } = string.Empty;

    /// <summary>How far it got: "options", "browser" or "verify".</summary>
    public string Stage { get; init; } = string.Empty;

    /// <summary>True when the relying party accepted the response.</summary>
    public bool Ok { get; init; }

    /// <summary>The relying party's error code on failure.</summary>
    public string? Code { get; init; }

    /// <summary>The relying party's error message on failure.</summary>
    public string? Message { get; init; }

    /// <summary>The browser's exception ("NotAllowedError: …") when navigator.credentials or fetch threw.</summary>
    public string? Error { get; init; }

    /// <summary>Registration: the attestation statement format.</summary>
    public string? Fmt { get; init; }

    /// <summary>Registration: the attestation type.</summary>
    public string? AttestationType { get; init; }

    /// <summary>The authenticator data flags.</summary>
    public AuthenticatorFlags Flags { get; init; }

    /// <summary>UV as the relying party read it.</summary>
    public bool UserVerified { get; init; }

    /// <summary>Registration: BE.</summary>
    public bool BackupEligible { get; init; }

    /// <summary>The signature counter.</summary>
    public long SignCount { get; init; }

    /// <summary>The credential id (base64url).</summary>
    public string? CredentialId { get; init; }

    /// <summary>Registration: the account's user handle; sign-in: the user handle the authenticator returned.</summary>
    public string? UserHandle { get; init; }

    /// <summary>Registration: the credential's COSE algorithm.</summary>
    public string? Algorithm { get; init; }

    /// <summary>Registration: the transports the browser reported.</summary>
    public IReadOnlyList<string> Transports { get; init; } = [];

    /// <summary>Sign-in: the counter did not increase.</summary>
    public bool PossibleClone { get; init; }

    /// <summary>The page's result exactly as JSON, for failure messages.</summary>
    public string Raw { get; init; } = string.Empty;
}
