using System.Text.Json.Serialization;

namespace Keyward.Server.Vault;

/// <summary>Source-generated JSON for the vault plane's answers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(VaultWriteResponse))]
[JsonSerializable(typeof(VaultDeleteResponse))]
[JsonSerializable(typeof(VaultListResponse))]
[JsonSerializable(typeof(VaultReadResponse))]
[JsonSerializable(typeof(VaultWriteRequest))]
internal sealed partial class VaultJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped (<see cref="Keyward.Server.Http.KeywardJson"/>); for answers.</summary>
    public static VaultJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
