using Keyward.Server.Hosting;
using Keyward.Server.Http;
using Microsoft.Extensions.Configuration;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// Every setting Keyward reads is known, in any case, through route ids and list indexes; anything else under
/// <c>Keyward</c> is one problem line naming it (and the closest known setting), and the start stops.
/// </summary>
public sealed class UnknownSettingsTests
{
    [Fact]
    public async Task KnownSettings_OfEveryShape_AreNoProblem()
    {
        await using var keyward = HostedKeyward.Build(
        [
            "--keyward:listen=https://127.0.0.1:9443", "--Keyward:Sessions:IdleTimeout=00:10:00", "--Keyward:Storage:Provider=Sqlite",
            "--Keyward:Routes:app:Host=app.localhost", "--Keyward:Routes:app:Upstream=http://127.0.0.1:1", "--Keyward:Routes:app:RequireUserVerification=true",
            "--Keyward:Routes:app:WebSocket:Enabled=true", "--Keyward:Routes:app:WebSocket:AllowedOrigins:0=https://app.localhost:9443",
            "--Keyward:Routes:app:StripRequestHeaders:0=X-Legacy", "--Keyward:Metrics:Listen=off", "--Keyward:Audit:UnauthenticatedInterval=00:02:00",
        ]);

        KeywardHost.ValidateConfiguration(keyward.App);
    }

    [Fact]
    public async Task UnknownSettings_StopTheStart_WithOneLineEach()
    {
        await using var keyward = HostedKeyward.Build(
        [
            "--Keyward:Routes:app:Host=app.localhost", "--Keyward:Routes:app:Upstream=http://127.0.0.1:1",
            "--Keyward:Routes:app:RequireUserVerifcation=true", "--Keyward:Routes:app:WebSocket:Enabled:Extra=1", "--Keyward:Sesions:IdleTimeout=00:10:00",
        ]);

        var failure = Assert.IsType<Microsoft.Extensions.Options.OptionsValidationException>(
            Assert.Single(Assert.Throws<AggregateException>(() => KeywardHost.ValidateConfiguration(keyward.App)).InnerExceptions));

        Assert.Equal(
        [
            "Keyward:Routes:app:RequireUserVerifcation is not a setting Keyward knows (did you mean Keyward:Routes:app:RequireUserVerification?): check its spelling against docs/configuration.md, or remove it.",
            "Keyward:Routes:app:WebSocket:Enabled:Extra is not a setting Keyward knows: check its spelling against docs/configuration.md, or remove it.",
            "Keyward:Sesions:IdleTimeout is not a setting Keyward knows: check its spelling against docs/configuration.md, or remove it.",
        ], failure.Failures);
    }

    [Fact]
    public void Find_SettingsOutsideKeyward_AreNotItsBusiness()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Kestrel:Limits:MaxConcurrentConnections"] = "100",
        }).Build();

        Assert.Empty(UnknownSettings.Find(configuration, [(KeywardOptions.Section, typeof(KeywardOptions))]));
    }
}
