namespace Keyward.Client;

/// <summary>A secret in a listing: its path, latest version and when that was written. Never a value.</summary>
/// <param name="Path">The path.</param>
/// <param name="Version">The latest version.</param>
/// <param name="UpdatedAt">When the latest version was written.</param>
public sealed record VaultEntry(string Path, int Version, DateTimeOffset UpdatedAt);
