using System.Net;
using Keyward.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.AspNetCore.Tests;

/// <summary>The production path: an https authority whose certificate comes from Keyward's own local CA.</summary>
public sealed class HttpsAuthorityTests : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly TestSigningKey _key = new("kw-2030-01");
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private FakeKeyward _keyward = null!;

    public async Task InitializeAsync()
    {
        _keyward = await FakeKeyward.StartAsync(_certificates.Server);
        _keyward.Publish(_key);
    }

    public async Task DisposeAsync() => await _keyward.DisposeAsync();

    public void Dispose() => _certificates.Dispose();

    private string Mint() => new AssertionSpec { Issuer = _keyward.Issuer, IssuedAt = _time.GetUtcNow() }.Mint(_key);

    [Fact]
    public async Task Authenticate_HttpsAuthorityWithTrustedLocalCa_AcceptsInProduction()
    {
        Assert.StartsWith("https://127.0.0.1:", _keyward.Issuer, StringComparison.Ordinal);
        await using var app = await ProtectedApp.StartAsync(_keyward, _time, o => o.BackchannelRootCertificate = _certificates.Ca, environment: "Production");

        var response = await app.GetWhoAmIAsync(Mint());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _keyward.FetchCount);
    }

    [Fact]
    public async Task Authenticate_HttpsAuthorityWithoutTrustedCa_Returns503KeysUnavailable()
    {
        await using var app = await ProtectedApp.StartAsync(_keyward, _time, environment: "Production");

        var response = await app.GetWhoAmIAsync(Mint());

        await ProtectedApp.AssertProblemAsync(response, 503, "assertion_keys_unavailable");
    }

    [Fact]
    public async Task Authenticate_HttpsAuthorityWithAnotherCa_Returns503KeysUnavailable()
    {
        using var other = TestCertificates.Create("Some Other CA");
        await using var app = await ProtectedApp.StartAsync(_keyward, _time, o => o.BackchannelRootCertificate = other.Ca, environment: "Production");

        var response = await app.GetWhoAmIAsync(Mint());

        await ProtectedApp.AssertProblemAsync(response, 503, "assertion_keys_unavailable");
        Assert.Equal(0, _keyward.FetchCount);
    }
}
