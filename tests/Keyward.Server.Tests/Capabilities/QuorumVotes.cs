using System.Text.Json;
using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Keyward.WebAuthn;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests.Capabilities;

/// <summary>
/// A vote on an approval request through the Core <see cref="ApprovalService"/>: a real WebAuthn assertion over the
/// request's challenge, made by the approver's virtual key (the approvals slice owns the vote endpoints).
/// </summary>
internal static class QuorumVotes
{
    /// <summary>The vote of <paramref name="approver"/>, whose key is <paramref name="client"/>'s, as the quorum answers it.</summary>
    public static async Task<QuorumResult<VoteOutcome>> VoteAsync(KeywardTestHost host, KeywardTestClient client, Guid approver, Guid requestId)
    {
        var approvals = host.GetRequiredService<ApprovalService>();
        var request = await approvals.GetAsync(requestId);
        byte[] credentialId;
        await using (var db = host.GetRequiredService<KeywardDatabase>().CreateContext())
        {
            credentialId = await db.Authenticators.Where(a => a.AccountId == approver).Select(a => a.CredentialId).FirstAsync();
        }

        var options = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["challenge"] = Base64Url.Encode(request!.Challenge),
            ["rpId"] = new Uri(host.Origin).Host,
            ["allowCredentials"] = new[] { new Dictionary<string, string> { ["type"] = "public-key", ["id"] = Base64Url.Encode(credentialId) } },
            ["userVerification"] = "required",
        });
        var assertion = AuthenticationCredential.Parse(client.Key.GetAssertion(options, host.Origin)).Value;
        return await approvals.VoteAsync(requestId, assertion);
    }

    /// <summary>A vote that must complete the quorum and apply the operation.</summary>
    public static async Task ApproveAsync(KeywardTestHost host, KeywardTestClient client, Guid approver, Guid requestId)
    {
        var vote = await VoteAsync(host, client, approver, requestId);
        Assert.True(vote.Succeeded && vote.Value.Applied, vote.Failure?.ToString() ?? "the vote did not apply the operation");
    }
}
