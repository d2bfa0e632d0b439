using System.Diagnostics.CodeAnalysis;

namespace Keyward.Authenticator;

/// <summary>
/// Thrown by the convenience methods (<see cref="VirtualAuthenticator.MakeCredential"/>,
/// <see cref="VirtualAuthenticator.GetAssertion"/>, <see cref="VirtualAuthenticator.Load"/>) when an expected
/// failure occurs; the <c>Try…</c> methods return the same failure as a value instead. The message never
/// contains key material or a passphrase.
/// </summary>
[SuppressMessage("Design", "CA1032", Justification = "Every instance carries an AuthenticatorFailure; message-only constructors would lose the code.")]
public sealed class AuthenticatorException : Exception
{
    /// <summary>Creates the exception for a failure.</summary>
    /// <param name="failure">The failure.</param>
    public AuthenticatorException(AuthenticatorFailure failure)
        : base((failure ?? throw new ArgumentNullException(nameof(failure))).ToString())
    {
        Failure = failure;
    }

    /// <summary>The failure.</summary>
    public AuthenticatorFailure Failure { get; }

    /// <summary>The error.</summary>
    public AuthenticatorError Error => Failure.Error;
}
