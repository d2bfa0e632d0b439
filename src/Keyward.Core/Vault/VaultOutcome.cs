namespace Keyward.Core.Vault;

/// <summary>A vault operation's value, or why it was refused.</summary>
/// <typeparam name="T">The value.</typeparam>
/// <param name="Value">The value when it succeeded.</param>
/// <param name="Failure">Why it was refused, or null.</param>
public readonly record struct VaultOutcome<T>(T? Value, VaultFailure? Failure)
{
    /// <summary>True when it succeeded.</summary>
    public bool Succeeded => Failure is null;

    /// <summary>A success.</summary>
    public static VaultOutcome<T> Ok(T value) => new(value, null);

    /// <summary>A refusal.</summary>
    public static VaultOutcome<T> Fail(VaultFailure failure) => new(default, failure);

    /// <summary>A refusal.</summary>
    public static implicit operator VaultOutcome<T>(VaultFailure failure) => Fail(failure);
}
