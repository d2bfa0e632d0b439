using Keyward.Server.Hosting;
using Keyward.Server.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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

    [Theory]
    [InlineData("Keyward:Routes:app:StripRequestHeaders", "X-Remote-User", "Keyward:Routes:app:StripRequestHeaders is a list or a section, not one value: write Keyward:Routes:app:StripRequestHeaders:0=value for a list")]
    [InlineData("Keyward:Routes:app:WebSocket", "true", "Keyward:Routes:app:WebSocket is a list or a section, not one value")]
    [InlineData("Keyward:Metrics:Enabled", "false", "Keyward:Metrics:Enabled is not a setting Keyward knows: check")]
    [InlineData("Keyward:EffectiveOrigin", "https://evil.example", "Keyward:EffectiveOrigin is not a setting Keyward knows")]
    [InlineData("Keyward:Metrics:EndPoint:Port", "1", "Keyward:Metrics:EndPoint:Port is not a setting Keyward knows: check")]
    [InlineData("Keyward", "1", "Keyward is a section, not one value: write Keyward:Setting=value.")]
    public async Task Find_AValueNothingWouldBind_IsAProblem(string key, string value, string expected)
    {
        // A single value where a list belongs, or a read-only (computed) property, would be dropped by the binder
        // without a word: a header-strip rule or "metrics off" that silently does nothing.
        var problem = Assert.Single(UnknownSettings.Find(Configuration(new() { [key] = value, ["Keyward:Routes:app:Upstream"] = "http://127.0.0.1:1" }), await BoundAsync()));

        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_EmptySectionsAndListItems_AreNoProblem() =>
        Assert.Empty(UnknownSettings.Find(Configuration(new()
        {
            ["Keyward:Tls"] = string.Empty,
            ["Keyward:Routes:app:StripRequestHeaders:0"] = "X-Remote-User",
            ["Keyward:Routes:app:WebSocket:AllowedOrigins:1"] = "https://app.example",
            ["Keyward:routes:APP:websocket:enabled"] = "true",
        }), await BoundAsync()));

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    // The sections and types serve binds, as the host registers them.
    private static async Task<List<(string Section, Type Type)>> BoundAsync()
    {
        await using var keyward = HostedKeyward.Build([]);
        return [(KeywardOptions.Section, typeof(KeywardOptions)), .. keyward.App.Services.GetServices<ValidatedOptions>().Select(v => (v.Section, v.Type))];
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
