namespace Keyward.Authenticator;

/// <summary>
/// Why an operation failed: a stable code and a plain message. <paramref name="Detail"/> adds context (which
/// member, which value was expected); it never contains key material or a passphrase.
/// </summary>
/// <param name="Error">The error.</param>
/// <param name="Detail">Optional context.</param>
public sealed record AuthenticatorFailure(AuthenticatorError Error, string? Detail = null)
{
    /// <summary>The stable snake_case code.</summary>
    public string Code => AuthenticatorErrors.Code(Error);

    /// <summary>The plain message, followed by the detail when there is one.</summary>
    public string Message => Detail is null ? AuthenticatorErrors.Message(Error) : $"{AuthenticatorErrors.Message(Error)} ({Detail})";

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}
