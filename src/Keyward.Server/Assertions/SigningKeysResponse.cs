using System.Text.Json.Serialization;

namespace Keyward.Server.Assertions;

/// <summary>
/// GET /api/admin/signing-keys: this node's assertion signing keys and the rotation schedule. Keyward makes the next key
/// when the rotation is due (it is not published ahead), so there is a next rotation time but no "next" key.
/// </summary>
/// <param name="Keys">The published keys, newest (current) first.</param>
/// <param name="NextRotationAt">When the current key is replaced.</param>
/// <param name="RotationIntervalSeconds">How long a key signs (<c>Keyward:Assertions:KeyRotationInterval</c>), in seconds.</param>
/// <param name="OverlapSeconds">How long a replaced key stays published (<c>Keyward:Assertions:KeyOverlap</c>), in seconds.</param>
/// <param name="Jwks">Where the public keys are published.</param>
internal sealed record SigningKeysResponse(
    [property: JsonPropertyName("keys")] IReadOnlyList<SigningKeyItem> Keys,
    [property: JsonPropertyName("next_rotation_at")] DateTimeOffset NextRotationAt,
    [property: JsonPropertyName("rotation_interval_seconds")] long RotationIntervalSeconds,
    [property: JsonPropertyName("overlap_seconds")] long OverlapSeconds,
    [property: JsonPropertyName("jwks")] string Jwks);
