using Keyward.Core.Audit;
using Keyward.Core.Credentials;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Proxy;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Tests.Matrix;

/// <summary>
/// The credential-confusion matrix (issue 16): every registered credential kind, in every form it has (live, garbage,
/// forged, expired, revoked), presented at every registered plane. The diagonal (a live credential where its kind is
/// accepted) is accepted; every other cell is refused with the plane's 4xx status and a stable catalogue code, never a
/// 500, and the refusal is in the audit log (one event, or counted per address). One host for all cells.
/// </summary>
public sealed class ConfusionMatrixTests(MatrixHost host) : IClassFixture<MatrixHost>
{
    /// <summary>Every (plane, kind, form) cell, one test case each.</summary>
    public static TheoryData<string, string, string> Cells()
    {
        var cells = new TheoryData<string, string, string>();
        foreach (var plane in Planes.All)
        {
            foreach (var kind in CredentialKinds.All)
            {
                foreach (var form in kind.Forms.Keys)
                {
                    cells.Add(plane.Name, kind.Name, form);
                }
            }
        }

        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Cell_IsAcceptedOnTheDiagonalAndRefusedWithAStableAuditedCodeElsewhere(string plane, string kind, string form)
    {
        var at = Planes.Named(plane);
        var credential = await CredentialKinds.Named(kind).Forms[form](host);
        var expected = at.Expect(kind, form);

        var response = await at.Present(host, credential);

        Assert.True(response.StatusCode < 500 || (expected is null && response.StatusCode == at.Accepted), $"{plane} answered {response}");
        if (expected is null)
        {
            Assert.True(response.StatusCode == at.Accepted, $"{plane} should accept a live {kind}; answered {response}");
            return;
        }

        Assert.True(response.StatusCode == expected.Status && expected.Codes.Contains(response.Code),
            $"{plane} should refuse {kind} ({form}) with {expected.Status} {string.Join(" or ", expected.Codes)}; answered {response.StatusCode} {response.Code}");
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Contains((response.Code!, response.StatusCode), Catalogue);
        var events = await host.NewEventsAsync();
        Assert.True(events.Any(e => Names(e, response.Code!)), $"the refusal {response.Code} at {plane} was not audited");

        // A single-use code refused on another plane is not spent there: a live setup code still begins its registration.
        if (kind == "setup code" && form == MatrixForms.Valid)
        {
            var own = Planes.Named("register-setup");
            var after = await own.Present(host, credential);
            Assert.True(after.StatusCode == own.Accepted, $"a live setup code refused at {plane} should stay usable on its own plane; answered {after}");
        }
    }

    // Found by review: a real session token that was since ended, sent as Bearer on an upgrade (which takes only a
    // ticket), was merely counted as "no credential". It is one event, naming the session's own reason.
    [Fact]
    public async Task EndedSessionAsBearerOnAnUpgrade_IsWrittenAsOneEventNamingItsReason()
    {
        await host.NewEventsAsync();

        var response = await host.Client.ProbeUpgradeAsync("/sockets/x", configure: r => r.Headers.Authorization = new("Bearer", host.Revoked["kws_"]));

        Assert.Equal(401, response.StatusCode);
        var events = await host.NewEventsAsync();
        var written = Assert.Single(events, e => e.Action == AuditActions.WebSocketUpgradeDenied);
        Assert.StartsWith("session_", written.Details["credential_refused"], StringComparison.Ordinal);
        Assert.False(UnauthenticatedRefusals.Covers(KeywardErrors.Own().Single(e => e.Code == written.Details["credential_refused"])));
    }

    [Fact]
    public void EveryCredentialKind_HasARegistryEntry()
    {
        var registered = CredentialKinds.All.Where(k => k.Kind is not null).Select(k => k.Kind!.Value).ToHashSet();
        Assert.All(Enum.GetValues<CredentialKind>(), k => Assert.True(registered.Contains(k), $"{k} has no entry in the matrix's CredentialKinds"));
        Assert.Equal(CredentialKinds.All.Count, CredentialKinds.All.Select(k => k.Name).Distinct().Count());
    }

    [Fact]
    public void EveryPlane_AcceptsARegisteredKindAndEveryIssuedKindHasAPlane()
    {
        var kinds = CredentialKinds.All.Select(k => k.Name).ToHashSet();
        Assert.All(Planes.All, p => Assert.Contains(p.Accepts, kinds));
        var issued = CredentialKinds.All.Where(k => k.Forms.ContainsKey(MatrixForms.Valid) && k.Name != "assertion").Select(k => k.Name);
        Assert.All(issued, k => Assert.Contains(Planes.All, p => p.Accepts == k || p.Second?.Kind == k));
    }

    [Fact]
    public void EveryRouteKind_HasAPlane()
    {
        // The kinds of route Keyward can be configured with, each taking credentials its own way.
        var routes = host.Host.GetRequiredService<IOptions<ProxyOptions>>().Value.Routes.Values;
        var kinds = routes.Select(r => r.Internal ? "internal-route" : r.WebSocket.Enabled ? "websocket-ticket" : r.Host is not null ? "app-cookie" : "path-route").ToHashSet();
        Assert.Equal(["app-cookie", "internal-route", "path-route", "websocket-ticket"], kinds.Order());
        Assert.All(kinds, k => Assert.Contains(Planes.All, p => p.Name == k));
    }

    [Fact]
    public void SetupPlane_Diagonal_RegisteredTheFirstAdmin()
    {
        // A setup code works once and only while no admin exists, so its live form is used once, at the fixture's start.
        Assert.Equal(("admin", "admin"), (host.SetupRegistration.Account, host.SetupRegistration.Role));
    }

    private static readonly HashSet<(string Code, int Status)> Catalogue = [.. KeywardErrors.Own().Select(e => (e.Code, e.Status))];

    // A denial naming the code: one event (code or reason), or a count of refusals without a valid credential.
    private static bool Names(AuditEvent e, string code) =>
        e.Outcome == AuditOutcomes.Denied
        && (e.Details.GetValueOrDefault("code") == code || e.Details.GetValueOrDefault("reason") == code
            || (e.Action == AuditActions.UnauthenticatedRefusals && e.Details["codes"].Split(';').Any(c => c.StartsWith(code + "=", StringComparison.Ordinal))));
}
