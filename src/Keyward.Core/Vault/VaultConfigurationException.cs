namespace Keyward.Core.Vault;

/// <summary>
/// The vault's configuration cannot be used: each problem names the setting and the fix. Never carries key material.
/// </summary>
public sealed class VaultConfigurationException : Exception
{
    /// <summary>Creates the exception from every problem found.</summary>
    public VaultConfigurationException(IReadOnlyList<string> problems)
        : base(string.Join(Environment.NewLine, problems ?? throw new ArgumentNullException(nameof(problems)))) =>
        Problems = problems;

    /// <summary>Creates the exception with a message.</summary>
    public VaultConfigurationException() : this(["The vault's configuration cannot be used."])
    {
    }

    /// <summary>Creates the exception with one problem.</summary>
    public VaultConfigurationException(string message) : this([message])
    {
    }

    /// <summary>Creates the exception with one problem and its cause.</summary>
    public VaultConfigurationException(string message, Exception innerException) : base(message, innerException) =>
        Problems = [message];

    /// <summary>Each problem, naming its setting and the fix.</summary>
    public IReadOnlyList<string> Problems { get; }
}
