using System.Text.RegularExpressions;
using Keyward.Server.Http;

namespace Keyward.Server.Tests.Slices;

/// <summary>The one error catalogue: every code exactly as clients know it, once, and nowhere else in the broker's source.</summary>
public sealed partial class ErrorCatalogueTests
{
    // The contract: clients and scripts match on these. Adding a code adds it here; renaming or removing one fails.
    private static readonly (string Code, int Status)[] Published =
    [
        ("session_missing", 401), ("session_invalid", 401), ("session_expired", 401), ("session_idle_expired", 401), ("session_logged_out", 401),
        ("session_revoked", 401), ("session_authenticator_removed", 401), ("session_not_found", 404), ("rate_limited", 429),
        ("user_verification_required", 403), ("role_required", 403), ("forbidden", 403), ("ceremony_invalid", 400), ("credential_unknown", 401),
        ("credential_exists", 409), ("username_required", 400), ("username_invalid", 400), ("setup_code_invalid", 401), ("invite_invalid", 401), ("account_exists", 409),
        ("account_not_found", 404), ("role_unknown", 400), ("key_not_found", 404), ("name_invalid", 400), ("last_key", 409),
        ("audit_unavailable", 503), ("storage_busy", 503), ("storage_unavailable", 503), ("signing_key_retired", 503), ("not_ready", 503), ("audit_query_invalid", 400), ("audit_range_invalid", 400), ("audit_export_busy", 429), ("websocket_not_allowed", 403),
        ("upgrade_not_allowed", 403), ("route_unknown", 404), ("ticket_required", 401), ("ticket_invalid", 401), ("ticket_expired", 401),
        ("ticket_consumed", 401), ("ticket_wrong_route", 403), ("origin_mismatch", 403), ("cookie_upgrade_not_allowed", 403),
        ("internal_credential_invalid", 401), ("internal_credential_not_loopback", 403), ("internal_credential_wrong_route", 403),
        ("upstream_unavailable", 502), ("subprotocol_invalid", 400), ("websocket_session_limit", 429), ("websocket_capacity", 503),
        ("upstream_timeout", 504), ("request_invalid", 400), ("not_found", 404), ("method_not_allowed", 405), ("body_too_large", 413),
        ("unsupported_media_type", 415),
        ("cross_origin_request", 403),
        ("step_up_required", 401), ("step_up_purpose_invalid", 400), ("recovery_code_invalid", 401),
        ("host_unknown", 421), ("bearer_required", 401), ("handoff_request_invalid", 400), ("handoff_code_invalid", 400),
        ("handoff_code_consumed", 400), ("handoff_code_expired", 400), ("handoff_wrong_host", 400), ("handoff_verifier_mismatch", 400),
        ("app_session_invalid", 401), ("cookie_conflict", 401),
        ("session_account_disabled", 401), ("account_disabled", 403), ("last_admin", 409), ("invite_not_found", 404), ("page_invalid", 400),
        ("enroll_token_invalid", 401), ("enroll_token_expired", 401), ("enroll_token_consumed", 401), ("enroll_token_revoked", 401),
        ("agent_key_invalid", 401), ("agent_key_revoked", 401), ("agent_machine_deleted", 401), ("agent_key_store_unavailable", 503),
        ("agent_upgrade_required", 400), ("agent_capacity", 503), ("enroll_request_invalid", 400), ("enroll_token_not_found", 404),
        ("machine_not_found", 404), ("machine_ids_invalid", 400), ("agent_offline", 503), ("agent_port_not_allowed", 403),
        ("agent_stream_failed", 502), ("agent_stream_limit", 429),
        ("support_reason_invalid", 400), ("support_session_not_found", 404), ("support_session_ended", 409), ("support_session_limit", 429),
        ("unattended_not_allowed", 403), ("join_not_allowed", 403), ("join_token_invalid", 401),
        ("join_token_expired", 401), ("join_token_consumed", 401), ("join_token_revoked", 401), ("join_wrong_session", 403),
        ("viewer_limit", 429), ("join_token_limit", 429), ("support_code_invalid", 401), ("support_code_rate_limited", 429), ("join_rate_limited", 429),
        ("service_key_invalid", 401), ("service_key_revoked", 401), ("service_key_store_unavailable", 503), ("actor_request_invalid", 400),
        ("actor_not_found", 404), ("scope_request_invalid", 400), ("scope_not_found", 404), ("scope_proposal_refused", 409),
        ("cap_request_invalid", 400), ("cap_scope_missing", 403), ("cap_operator_ambiguous", 400), ("cap_invalid", 401), ("cap_expired", 401),
        ("cap_scope_revoked", 403),
        ("cap_data_class_mismatch", 403), ("cap_operation_mismatch", 403),
        ("cap_actor_mismatch", 403), ("cap_path_mismatch", 403), ("approval_required", 403), ("vault_not_configured", 503), ("vault_path_invalid", 400),
        ("vault_value_too_large", 413), ("vault_secret_not_found", 404), ("vault_decrypt_failed", 500), ("vault_no_epoch", 503), ("vault_kek_missing", 503),
        ("vault_kek_mismatch", 503),
        ("approval_policy_invalid", 400), ("approval_threshold_below_one", 400), ("approval_threshold_above_approvers", 409), ("approval_would_strand", 409),
        ("approval_policy_stranded", 409), ("approval_policy_unknown", 404), ("approval_policy_missing", 409), ("approval_operation_not_supported", 400),
        ("approval_operation_invalid", 400), ("approval_unknown", 404), ("approval_expired", 409), ("approval_withdrawn", 409), ("approval_replayed", 409),
        ("approval_stale", 409), ("approval_other_operation", 403), ("approver_removed", 403), ("approver_key_unknown", 403), ("approver_key_synced", 403),
        ("approver_key_no_counter", 403), ("approver_key_cloned", 403), ("approval_duplicate_account", 409), ("approval_duplicate_authenticator", 409),
        ("approval_assertion_invalid", 400), ("approval_not_withdrawable", 403), ("approval_denied", 409), ("approval_not_deniable", 403),
        ("approval_key_not_own", 403),
    ];

    [Fact]
    public void Own_EveryPublishedCodeAndStatus_IsInTheCatalogueOnceAndNothingElseIs()
    {
        var errors = KeywardErrors.Own();
        Assert.Equal(errors.Count, errors.Select(e => e.Code).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Published.OrderBy(p => p.Code, StringComparer.Ordinal), errors.Select(e => (e.Code, e.Status)).OrderBy(p => p.Code, StringComparer.Ordinal));
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
