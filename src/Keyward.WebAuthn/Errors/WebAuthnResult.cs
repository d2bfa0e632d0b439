using System.Diagnostics.CodeAnalysis;

namespace Keyward.WebAuthn;

/// <summary>Either a value or a <see cref="WebAuthnFailure"/>. Expected failures are values, not exceptions.</summary>
/// <typeparam name="T">The value on success.</typeparam>
public readonly struct WebAuthnResult<T>
{
    private readonly T? _value;

    private WebAuthnResult(T? value, WebAuthnFailure? failure)
    {
        _value = value;
        Failure = failure;
    }

    /// <summary>The failure, or null on success.</summary>
    public WebAuthnFailure? Failure { get; }

    /// <summary>True when the ceremony step succeeded.</summary>
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    /// <summary>The value; throws when the result is a failure (a bug in the caller).</summary>
    public T Value => Failure is null ? _value! : throw new InvalidOperationException($"The result is a failure ({Failure.Code}); check Succeeded first.");

    /// <summary>A successful result.</summary>
    public static WebAuthnResult<T> Ok(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    public static WebAuthnResult<T> Fail(WebAuthnErrorCode error, string? detail = null) => new(default, new WebAuthnFailure(error, detail));

    /// <summary>A failed result carrying an existing failure.</summary>
    public static WebAuthnResult<T> Fail(WebAuthnFailure failure) => new(default, failure);

    /// <summary>Converts a failure.</summary>
    public static implicit operator WebAuthnResult<T>(WebAuthnFailure failure) => new(default, failure);
}
