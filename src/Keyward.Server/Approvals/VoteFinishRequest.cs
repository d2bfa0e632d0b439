using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>POST /api/approvals/{id}/vote/finish: the assertion (WebAuthn JSON).</summary>
internal sealed record VoteFinishRequest([property: JsonPropertyName("credential")] JsonElement Credential);
