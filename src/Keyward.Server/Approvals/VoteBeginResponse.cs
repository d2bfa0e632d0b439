using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>POST /api/approvals/{id}/vote/begin: request options whose challenge is the operation's challenge.</summary>
internal sealed record VoteBeginResponse(
    [property: JsonPropertyName("request_id")] Guid RequestId,
    [property: JsonPropertyName("public_key")] JsonElement PublicKey);
