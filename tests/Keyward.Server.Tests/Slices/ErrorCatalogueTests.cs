using System.Text.RegularExpressions;
using Keyward.Server.Http;

namespace Keyward.Server.Tests.Slices;

/// <summary>The one error catalogue: every code exactly as clients know it, once, and nowhere else in the broker's source.</summary>
public sealed partial class ErrorCatalogueTests
{
    // The contract: clients and scripts match on these. Adding a code adds it here; renaming or removing one fails.
    private static readonly string[] Published =
    [
        "session_missing", "session_invalid", "session_expired", "session_idle_expired", "session_logged_out", "session_revoked",
        "session_authenticator_removed", "session_not_found", "rate_limited", "user_verification_required", "role_required", "forbidden",
        "ceremony_invalid", "credential_unknown", "credential_exists", "username_required", "setup_code_invalid", "invite_invalid",
        "account_exists", "account_not_found", "role_unknown", "key_not_found", "name_invalid", "last_key", "audit_unavailable",
        "audit_query_invalid", "audit_range_invalid", "websocket_not_allowed", "upgrade_not_allowed", "route_unknown", "ticket_required",
        "ticket_invalid", "ticket_expired", "ticket_consumed", "ticket_wrong_route", "origin_mismatch", "cookie_upgrade_not_allowed",
        "internal_credential_invalid", "internal_credential_not_loopback", "internal_credential_wrong_route", "upstream_unavailable",
        "subprotocol_invalid",
    ];

    [Fact]
    public void Own_EveryPublishedCode_IsInTheCatalogueOnceAndNothingElseIs()
    {
        var codes = KeywardErrors.Own().Select(e => e.Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Published.Order(StringComparer.Ordinal), codes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Own_EveryError_HasAClientOrServerStatusAndAPlainMessage()
    {
        Assert.All(KeywardErrors.Own(), e =>
        {
            Assert.Matches("^[a-z]+(_[a-z0-9]+)*$", e.Code);
            Assert.InRange(e.Status, 400, 599);
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            Assert.DoesNotMatch("kw[a-z]_[0-9A-Za-z]{8,}", e.Message); // a hint may name a kind (kws_…), never carry one
        });
    }

    [Fact]
    public void WebAuthnCodes_ShareOnlyOriginMismatchWithTheBroker()
    {
        var shared = KeywardErrors.WebAuthnCodes.Intersect(KeywardErrors.Own().Select(e => e.Code), StringComparer.Ordinal);
        Assert.Equal(["origin_mismatch"], shared);
        Assert.Equal(KeywardErrors.WebAuthnCodes.Count, KeywardErrors.WebAuthnCodes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void ServerSource_WritesNoCatalogueCodeOutsideTheCatalogue()
    {
        var codes = KeywardErrors.Own().Select(e => e.Code).ToHashSet(StringComparer.Ordinal);
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(SourceTree.Server, "*.cs", SearchOption.AllDirectories))
        {
            if (SourceTree.IsGenerated(file) || Path.GetFileName(file).StartsWith("KeywardErrors", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Match literal in StringLiteral().Matches(File.ReadAllText(file)))
            {
                if (codes.Contains(literal.Groups[1].Value))
                {
                    offenders.Add($"{Path.GetRelativePath(SourceTree.Server, file)}: \"{literal.Groups[1].Value}\"");
                }
            }
        }

        Assert.Empty(offenders);
    }

    [GeneratedRegex("\"([a-z]+(?:_[a-z0-9]+)+)\"")]
    private static partial Regex StringLiteral();
}
