namespace Keyward.WebAuthn;

/// <summary>
/// Why a ceremony failed: a stable code and a plain message. <paramref name="Detail"/> adds context for
/// operators (which step, which value was expected); it never contains a secret or exception text.
/// </summary>
/// <param name="Error">The error.</param>
/// <param name="Detail">Optional context, safe to show to an operator.</param>
public sealed record WebAuthnFailure(WebAuthnErrorCode Error, string? Detail = null)
{
    /// <summary>The stable snake_case code.</summary>
    public string Code => WebAuthnErrors.Code(Error);

    /// <summary>The plain message, followed by the detail when there is one.</summary>
    public string Message => Detail is null ? WebAuthnErrors.Message(Error) : $"{WebAuthnErrors.Message(Error)} ({Detail})";

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}
