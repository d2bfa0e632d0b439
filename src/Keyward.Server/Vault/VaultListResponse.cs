using System.Text.Json.Serialization;

namespace Keyward.Server.Vault;

/// <summary>GET …/list?prefix=…: the live secrets under the prefix, by path.</summary>
internal sealed record VaultListResponse(
    [property: JsonPropertyName("prefix")] string Prefix,
    [property: JsonPropertyName("entries")] IReadOnlyList<VaultListItem> Entries);
