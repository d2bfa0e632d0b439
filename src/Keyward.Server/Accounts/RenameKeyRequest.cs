using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>PATCH /api/keys/{id}.</summary>
internal sealed record RenameKeyRequest([property: JsonPropertyName("name")] string Name);
