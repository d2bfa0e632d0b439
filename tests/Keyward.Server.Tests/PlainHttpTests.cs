namespace Keyward.Server.Tests;

/// <summary>Keyward on plain http (Development only): no <c>Strict-Transport-Security</c>, which RFC 6797 §7.2 forbids there.</summary>
public sealed class PlainHttpTests
{
    [Fact]
    public async Task Hsts_OverPlainHttp_IsNeverSent()
    {
        await using var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions { Transport = KeywardTransport.Kestrel, Https = false });
        using var client = host.CreateClient();

        var health = await client.GetAsync("/healthz");
        var problem = await client.StatusAsync(null);

        Assert.Equal(200, health.StatusCode);
        Assert.Equal(401, problem.StatusCode);
        Assert.False(health.Headers.Contains("Strict-Transport-Security"));
        Assert.False(problem.Headers.Contains("Strict-Transport-Security"));
        Assert.True(problem.Headers.CacheControl?.NoStore);
    }
}
