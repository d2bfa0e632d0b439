using System.Diagnostics.CodeAnalysis;

namespace Keyward.Server.Http;

/// <summary>The result of a step: a value, or the <see cref="Refusal"/> that ends the operation.</summary>
/// <typeparam name="T">The value's type.</typeparam>
internal readonly struct Outcome<T>
{
    private readonly T? _value;

    private Outcome(T? value, Refusal? refusal)
    {
        _value = value;
        Refusal = refusal;
    }

    /// <summary>Why the operation stopped, or null when it goes on.</summary>
    public Refusal? Refusal { get; }

    /// <summary>The value; only when <see cref="Refusal"/> is null.</summary>
    public T Value => Refusal is null ? _value! : throw new InvalidOperationException($"The step was refused ({Refusal.Error.Code}); check Refused first.");

    /// <summary>True when the step refused.</summary>
    [MemberNotNullWhen(true, nameof(Refusal))]
    public bool Refused => Refusal is not null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Refusal refusal) => new(default, refusal);
}
