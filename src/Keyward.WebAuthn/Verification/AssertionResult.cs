namespace Keyward.WebAuthn;

/// <summary>A verified assertion: what to update in the credential record.</summary>
public sealed record AssertionResult
{
    /// <summary>The credential that signed.</summary>
    public required byte[] CredentialId { get; init; }

    /// <summary>The new signature counter to store.</summary>
    public required uint SignCount { get; init; }

    /// <summary>The authenticator data flags.</summary>
    public required AuthenticatorFlags Flags { get; init; }

    /// <summary>The counter did not increase and policy accepted it: the authenticator may be cloned. Audit and alert.</summary>
    public bool PossibleClone { get; init; }

    /// <summary>UV was set.</summary>
    public bool UserVerified => (Flags & AuthenticatorFlags.UserVerified) != 0;

    /// <summary>BS was set (store it: it may change between assertions).</summary>
    public bool BackedUp => (Flags & AuthenticatorFlags.BackupState) != 0;
}
