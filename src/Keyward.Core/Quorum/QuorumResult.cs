using System.Diagnostics.CodeAnalysis;

namespace Keyward.Core.Quorum;

/// <summary>Either a value or a <see cref="QuorumFailure"/>. Expected refusals are values, not exceptions.</summary>
/// <typeparam name="T">The value on success.</typeparam>
public readonly struct QuorumResult<T>
{
    private readonly T? _value;

    private QuorumResult(T? value, QuorumFailure? failure)
    {
        _value = value;
        Failure = failure;
    }

    /// <summary>The failure, or null on success.</summary>
    public QuorumFailure? Failure { get; }

    /// <summary>True on success.</summary>
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    /// <summary>The value; throws when the result is a failure (a bug in the caller).</summary>
    public T Value => Failure is null ? _value! : throw new InvalidOperationException($"The result is a failure ({Failure.Code}); check Succeeded first.");

    /// <summary>A successful result.</summary>
    public static QuorumResult<T> Ok(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    public static QuorumResult<T> Fail(QuorumError error, string? detail = null) => new(default, new QuorumFailure(error, detail));

    /// <summary>Converts a failure.</summary>
    public static implicit operator QuorumResult<T>(QuorumFailure failure) => new(default, failure);
}
