using System.Security.Cryptography.X509Certificates;
using Keyward.Server.Tls;
using Keyward.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests;

/// <summary>
/// The local CA's server certificate names exactly the configured names (plus localhost and loopback), and is
/// reissued when that set changes either way, or when it nears expiry.
/// </summary>
public sealed class LocalCertificateAuthorityTests : IDisposable
{
    private readonly TempDirectory _data = new("keyward-ca-tests-");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    private LocalCertificateAuthority Ca => new(_data.Path, _time);

    [Fact]
    public void ServerCertificate_EveryConfiguredName_IsASubjectAlternativeName()
    {
        using var certificate = Ca.LoadOrIssueServerCertificate(["keyward.example", "counter.localhost", "10.0.0.5"]);

        Assert.Equal(
            ["10.0.0.5", "127.0.0.1", "::1", "counter.localhost", "keyward.example", "localhost"],
            LocalCertificateAuthority.NamesOf(certificate).Order(StringComparer.Ordinal));
        Assert.True(certificate.MatchesHostname("counter.localhost"));
        Assert.False(certificate.MatchesHostname("other.localhost"));
    }

    [Fact]
    public void ServerCertificate_SameNamesInAnySpelling_IsReused()
    {
        using var first = Ca.LoadOrIssueServerCertificate(["Counter.Localhost", "keyward.example"]);
        using var second = Ca.LoadOrIssueServerCertificate(["keyward.example.", "counter.localhost", "localhost"]);

        Assert.Equal(first.Thumbprint, second.Thumbprint);
    }

    [Fact]
    public void ServerCertificate_NameAdded_IsReissuedToCoverIt()
    {
        using var first = Ca.LoadOrIssueServerCertificate(["counter.localhost"]);
        using var second = Ca.LoadOrIssueServerCertificate(["counter.localhost", "chat.localhost"]);

        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
        Assert.True(second.MatchesHostname("chat.localhost"));
    }

    [Fact]
    public void ServerCertificate_NameRemoved_IsReissuedWithoutIt()
    {
        using var first = Ca.LoadOrIssueServerCertificate(["counter.localhost", "old.localhost"]);
        using var second = Ca.LoadOrIssueServerCertificate(["counter.localhost"]);

        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
        Assert.False(second.MatchesHostname("old.localhost"));
        Assert.DoesNotContain("old.localhost", LocalCertificateAuthority.NamesOf(X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_data.Path, "tls", "server.pem")))));
    }

    [Fact]
    public void ServerCertificate_NearExpiry_IsReissued()
    {
        using var first = Ca.LoadOrIssueServerCertificate(["counter.localhost"]);
        _time.Advance(TimeSpan.FromDays(366));
        using var stillValid = Ca.LoadOrIssueServerCertificate(["counter.localhost"]);
        _time.Advance(TimeSpan.FromDays(2));
        using var renewed = Ca.LoadOrIssueServerCertificate(["counter.localhost"]);

        Assert.Equal(first.Thumbprint, stillValid.Thumbprint);
        Assert.NotEqual(first.Thumbprint, renewed.Thumbprint);
    }

    public void Dispose() => _data.Dispose();
}
