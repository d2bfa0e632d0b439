using System.Text;
using Keyward.Core.Audit;
using Keyward.Core.Audit.Export;
using Keyward.Server.Audit;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>GET /api/audit/export (issue 14 item 3, the console's export button): the whole log, verifiable offline.</summary>
public abstract partial class BrokerTests
{
    [Fact]
    public async Task AuditExport_Admin_GetsTheWholeLogThatVerifiesAgainstThePublishedKey()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        await AddUserAsync(broker, "bob");

        var answer = await client.GetAsync("/api/audit/export", admin.Token);
        ProblemAssert.Ok(answer);
        Assert.Equal("application/x-ndjson", answer.MediaType);
        Assert.Contains("no-store", answer.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        Assert.StartsWith("attachment; filename=\"keyward-audit-", answer.ContentHeaders.ContentDisposition?.ToString() ?? string.Empty, StringComparison.Ordinal);

        // Checked against the key published at /api/audit/key, not only the one in the export's own header.
        var key = host.GetService<AuditSigningKey>().SubjectPublicKeyInfo;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(answer.Body));
        var verdict = await AuditExportVerifier.VerifyAsync(stream, key);
        Assert.True(verdict.Status == AuditVerificationStatus.Intact, verdict.Message);

        // It covers everything up to and including its own export event (the head was signed after recording it).
        var events = await AllEventsAsync(host);
        Assert.Contains(events, e => (e.Actor, e.Action) == ("bob", AuditActions.SignInSucceeded));
        var exported = Assert.Single(events, e => e.Action == AuditActions.AuditExported);
        Assert.Equal(("admin", AuditOutcomes.Success), (exported.Actor, exported.Outcome));
        Assert.Contains($"\"sequence\":{exported.Sequence},", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditExport_NotAnAdmin_IsRefused()
    {
        var broker = await StartWithAdminAsync();
        var (_, client, _) = broker;
        var (bob, _) = await AddUserAsync(broker, "bob");

        ProblemAssert.Problem(await client.GetAsync("/api/audit/export", token: null), 401, "session_missing");
        ProblemAssert.Problem(await client.GetAsync("/api/audit/export", bob.Token), 403, "role_required");
    }

    // Finding 1 of the console review (review14): a GET is not a write, so the CSRF rule let a page of a sibling origin
    // (a proxied app on app.example.com is the same site as Keyward, and SameSite=Strict cookies go along) load
    // <img src="https://keyward…/api/audit/export"> in a loop with the admin's cookie: each load read the whole log,
    // held the one-export gate (the admin's own export answered audit_export_busy) and logged audit.exported as the admin.
    [Fact]
    public async Task AuditExport_WithTheCookieFromAnotherOrigin_IsRefusedWithoutReadingOrHoldingTheGate()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        foreach (var site in new[] { "same-site", "cross-site", null })
        {
            var refused = await SendWithCookieAsync(client, HttpMethod.Get, "/api/audit/export", admin.Token, origin: null, site, contentType: null, string.Empty);
            ProblemAssert.Problem(refused, 403, "cross_origin_request");
        }

        Assert.DoesNotContain(await AllEventsAsync(host), e => e.Action == AuditActions.AuditExported);
        Assert.True(host.GetService<AuditExportGate>().TryEnter(), "a refused export must not hold the gate");
        host.GetService<AuditExportGate>().Exit();

        // The console's own button (a same-origin download) and an address typed by the admin still export.
        foreach (var site in new[] { "same-origin", "none" })
        {
            var exported = await SendWithCookieAsync(client, HttpMethod.Get, "/api/audit/export", admin.Token, origin: null, site, contentType: null, string.Empty);
            ProblemAssert.Ok(exported);
            Assert.Equal("application/x-ndjson", exported.MediaType);
        }
    }

    [Fact]
    public async Task AuditExport_WhileAnotherRuns_IsRefusedWithoutTouchingTheLog()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var gate = host.GetService<AuditExportGate>();
        Assert.True(gate.TryEnter());
        try
        {
            ProblemAssert.Problem(await client.GetAsync("/api/audit/export", admin.Token), 429, "audit_export_busy");
        }
        finally
        {
            gate.Exit();
        }

        var refused = Assert.Single(await AllEventsAsync(host), e => e.Action == AuditActions.AuditExported);
        Assert.Equal((AuditOutcomes.Denied, "audit_export_busy"), (refused.Outcome, refused.Details["code"]));
        ProblemAssert.Ok(await client.GetAsync("/api/audit/export", admin.Token));
    }
}
