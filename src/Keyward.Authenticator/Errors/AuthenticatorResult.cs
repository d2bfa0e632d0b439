using System.Diagnostics.CodeAnalysis;

namespace Keyward.Authenticator;

/// <summary>Either a value or an <see cref="AuthenticatorFailure"/>. Expected failures are values, not exceptions.</summary>
/// <typeparam name="T">The value on success.</typeparam>
public readonly struct AuthenticatorResult<T>
{
    private readonly T? _value;

    private AuthenticatorResult(T? value, AuthenticatorFailure? failure)
    {
        _value = value;
        Failure = failure;
    }

    /// <summary>The failure, or null on success.</summary>
    public AuthenticatorFailure? Failure { get; }

    /// <summary>True when the operation succeeded.</summary>
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    /// <summary>The value; throws <see cref="AuthenticatorException"/> carrying the failure when the result is one.</summary>
    public T Value => Failure is null ? _value! : throw new AuthenticatorException(Failure);

    /// <summary>A successful result.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The result.</returns>
    public static AuthenticatorResult<T> Ok(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    /// <param name="error">The error.</param>
    /// <param name="detail">Optional context, never a secret.</param>
    /// <returns>The result.</returns>
    public static AuthenticatorResult<T> Fail(AuthenticatorError error, string? detail = null) => new(default, new AuthenticatorFailure(error, detail));

    /// <summary>A failed result carrying an existing failure.</summary>
    /// <param name="failure">The failure.</param>
    /// <returns>The result.</returns>
    public static AuthenticatorResult<T> Fail(AuthenticatorFailure failure) => new(default, failure);

    /// <summary>Converts a failure.</summary>
    /// <param name="failure">The failure.</param>
    public static implicit operator AuthenticatorResult<T>(AuthenticatorFailure failure) => new(default, failure);
}
