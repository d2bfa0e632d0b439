namespace Keyward.Core.Vault;

/// <summary>
/// A kind of secret the vault holds. The set is closed and documented (docs/vault.md, "Data classes"): a class is
/// bound into every ciphertext, each vault endpoint will serve exactly one, and adding one means adding its negative
/// tests in all four isolation layers.
/// </summary>
public sealed class VaultDataClass
{
    private VaultDataClass(string name, bool sensitive, string description)
    {
        Name = name;
        Sensitive = sensitive;
        Description = description;
    }

    /// <summary>API credentials, tokens, passwords an actor presents elsewhere. Sensitive.</summary>
    public static VaultDataClass Credential { get; } = new("credential", true, "credentials an actor presents to other systems (API keys, tokens, passwords)");

    /// <summary>An automated agent's memory blobs: state it keeps between runs. Not sensitive.</summary>
    public static VaultDataClass Memory { get; } = new("memory", false, "state an automated agent keeps between runs");

    /// <summary>Every data class, in a fixed order.</summary>
    public static IReadOnlyList<VaultDataClass> All { get; } = [Credential, Memory];

    /// <summary>The stable name, stored in rows and bound into ciphertext.</summary>
    public string Name { get; }

    /// <summary>True when reading a secret of this class is a sensitive operation (it will need an approval quorum).</summary>
    public bool Sensitive { get; }

    /// <summary>What the class holds, in plain words.</summary>
    public string Description { get; }

    /// <summary>The class named exactly <paramref name="name"/> (ordinal, lower case), or null: unknown names are refused, never defaulted.</summary>
    public static VaultDataClass? Find(string? name)
    {
        foreach (var dataClass in All)
        {
            if (string.Equals(dataClass.Name, name, StringComparison.Ordinal))
            {
                return dataClass;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
