using Keyward.Core.Storage;
using Keyward.Core.Vault;

namespace Keyward.Cli.Vault;

/// <summary>Where a server-side vault command works: the data directory, its storage and the vault's settings.</summary>
/// <param name="DataDirectory">The data directory.</param>
/// <param name="Storage">The storage settings.</param>
/// <param name="Vault">The vault settings (its keys).</param>
internal sealed record VaultPlace(string DataDirectory, StorageOptions Storage, VaultOptions Vault);
