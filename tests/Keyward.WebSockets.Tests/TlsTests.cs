using System.Security.Cryptography.X509Certificates;
using Keyward.Server.Tls;
using Keyward.WebSockets.Tests.Infrastructure;

namespace Keyward.WebSockets.Tests;

/// <summary>
/// Both legs over TLS: the browser side to Keyward with its generated local CA (wss://), the upstream side to an
/// upstream whose certificate comes from a private CA named by the route's UpstreamCaFile (and only that CA).
/// </summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Wss_ThroughKeywardsLocalCa_ToUpstreamTrustedByRouteCa()
    {
        using var upstreamCa = new Keyward.Testing.TempDirectory("keyward-ws-upstream-ca-");
        var ca = new LocalCertificateAuthority(upstreamCa.Path, TimeProvider.System);
        using (ca.LoadOrCreateCa())
        {
        }

        var (certFile, keyFile) = ca.IssueFiles("upstream", ["127.0.0.1"]);
        using var certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        await using var upstream = await EchoUpstream.StartAsync(certificate);
        Assert.Equal("https", upstream.Address.Scheme);
        await using var server = await KeywardServer.StartAsync(upstream, https: true, upstreamCaFile: ca.CaCertificatePath);
        var api = server.Admin!;
        var session = await api.LoginAsync();
        using var socket = await api.OpenAsync(session);
        await socket.AssertEchoAsync("over TLS on both legs");
        Assert.Equal("wss", server.WebSocketBase.Scheme);

        // Logout closes it just the same.
        var close = socket.ExpectCloseAsync();
        (await api.LogoutAsync(session.Token)).EnsureSuccess();
        Assert.Equal((4401, "session ended: logged_out"), ((await close).Code, (await close).Reason));
    }

    [Fact]
    public async Task UpstreamWithCertificateFromAnotherCa_IsRefused502_NeverA101()
    {
        using var upstreamCa = new Keyward.Testing.TempDirectory("keyward-ws-upstream-ca-");
        using var otherCa = new Keyward.Testing.TempDirectory("keyward-ws-other-ca-");
        var ca = new LocalCertificateAuthority(upstreamCa.Path, TimeProvider.System);
        using (ca.LoadOrCreateCa())
        {
        }

        var other = new LocalCertificateAuthority(otherCa.Path, TimeProvider.System);
        using (other.LoadOrCreateCa())
        {
        }

        var (certFile, keyFile) = ca.IssueFiles("upstream", ["127.0.0.1"]);
        using var certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        await using var upstream = await EchoUpstream.StartAsync(certificate);
        await using var server = await KeywardServer.StartAsync(upstream, upstreamCaFile: other.CaCertificatePath);
        var api = server.Admin!;
        var session = await api.LoginAsync();
        var probe = await api.ProbeUpgradeAsync($"/ws/echo/x?ticket={await api.TicketAsync(session, TestRoutes.Echo)}");
        Assert.Equal((502, "upstream_unavailable"), (probe.StatusCode, probe.Code));
        Assert.Equal(0, upstream.Accepted);
    }
}
