using System.Net;
using Keyward.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.AspNetCore.Tests;

public sealed class OptionsValidationTests
{
    private readonly FakeTimeProvider _time = new();

    private async Task<OptionsValidationException> StartFailsAsync(string environment, Action<KeywardAssertionOptions> configure)
    {
        await using var app = ProtectedApp.Build(environment, _time, configure);
        return await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
    }

    [Fact]
    public async Task Start_HttpAuthorityWithDangerousSwitchInProduction_Refused()
    {
        var error = await StartFailsAsync("Production", o =>
        {
            o.Authority = "http://127.0.0.1:8080";
            o.Audience = "counter";
            o.DangerousAllowHttpAuthority = true;
        });

        Assert.Contains("DangerousAllowHttpAuthority is refused outside the Development environment", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Production'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_HttpAuthorityWithoutDangerousSwitchInDevelopment_Refused()
    {
        var error = await StartFailsAsync("Development", o =>
        {
            o.Authority = "http://127.0.0.1:8080";
            o.Audience = "counter";
        });

        Assert.Contains("uses http", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_DangerousSwitchInStagingEvenWithHttps_Refused()
    {
        var error = await StartFailsAsync("Staging", o =>
        {
            o.Authority = "https://127.0.0.1:8443";
            o.Audience = "counter";
            o.DangerousAllowHttpAuthority = true;
        });

        Assert.Contains("DangerousAllowHttpAuthority", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_HttpAuthorityWithDangerousSwitchInDevelopment_Starts()
    {
        await using var app = ProtectedApp.Build("Development", _time, o =>
        {
            o.Authority = "http://127.0.0.1:8080";
            o.Audience = "counter";
            o.DangerousAllowHttpAuthority = true;
        });

        await app.StartAsync();
        await app.StopAsync();
    }

    [Fact]
    public async Task Start_NoAuthorityNoAudience_RefusedListingBoth()
    {
        var error = await StartFailsAsync("Production", _ => { });

        Assert.Contains("Authority is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("Audience is required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("keyward.example")]
    [InlineData("ftp://keyward.example")]
    [InlineData("https://keyward.example/?x=1")]
    [InlineData("https://user:pass@keyward.example")]
    public async Task Start_MalformedAuthority_Refused(string authority)
    {
        var error = await StartFailsAsync("Production", o =>
        {
            o.Authority = authority;
            o.Audience = "counter";
        });

        Assert.Contains("Authority", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OutOfRangeLimits_EachSaysHowToFix()
    {
        var options = new KeywardAssertionOptions
        {
            Authority = "https://keyward.example",
            Audience = "counter",
            ClockSkew = TimeSpan.FromHours(1),
            MaxAssertionLifetime = TimeSpan.Zero,
            JwksRefreshMinimumInterval = TimeSpan.Zero,
            JwksCacheLifetime = TimeSpan.FromSeconds(-1),
            BackchannelTimeout = TimeSpan.Zero,
            BackchannelRootCertificate = TestCertificates.Create().Ca,
            BackchannelHttpHandler = new HttpClientHandler(),
        };

        var errors = KeywardAssertionPostConfigureOptions.Validate("KeywardAssertion", options, environment: null);

        Assert.Equal(6, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("Keyward assertion scheme 'KeywardAssertion':", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddKeywardAssertion_CalledTwice_RegistersOneSchemeWithBothConfigurations()
    {
        await using var keyward = await FakeKeyward.StartAsync();
        var key = new TestSigningKey("k1");
        keyward.Publish(key);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddAuthentication(KeywardAssertionDefaults.AuthenticationScheme)
            .AddKeywardAssertion(o =>
            {
                o.Authority = keyward.Issuer;
                o.DangerousAllowHttpAuthority = true;
            })
            .AddKeywardAssertion(o => o.Audience = "counter");
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        app.MapGet("/", () => "ok").RequireAuthorization();
        await app.StartAsync();

        var schemes = await app.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetAllSchemesAsync();
        Assert.Single(schemes, s => s.Name == KeywardAssertionDefaults.AuthenticationScheme);

        var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add(KeywardAssertionDefaults.HeaderName, new AssertionSpec { Issuer = keyward.Issuer, IssuedAt = _time.GetUtcNow() }.Mint(key));
        var response = await app.GetTestClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void AuthorityWithTrailingSlash_IssuerComparedWithoutIt()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAuthentication().AddKeywardAssertion(o =>
        {
            o.Authority = "https://keyward.example:8443/";
            o.Audience = "counter";
        });
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<KeywardAssertionOptions>>().Get(KeywardAssertionDefaults.AuthenticationScheme);

        Assert.Equal(new Uri("https://keyward.example:8443/.well-known/keyward/jwks.json"), options.Validator!.Cache.JwksUri);
    }

    private static KeywardAssertionOptions Usable() => new() { Authority = "https://keyward.example", Audience = "counter" };

    [Fact]
    public void Validate_AuthorityWithFragment_Refused()
    {
        var options = Usable();
        options.Authority = "https://keyward.example/#keys";

        var error = Assert.Single(KeywardAssertionPostConfigureOptions.Validate("KeywardAssertion", options, environment: null));

        Assert.Contains("must not carry a query, a fragment or credentials", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DangerousSwitchWithoutHostEnvironment_RefusedNamingTheMissingEnvironment()
    {
        var options = Usable();
        options.DangerousAllowHttpAuthority = true;

        var error = Assert.Single(KeywardAssertionPostConfigureOptions.Validate("KeywardAssertion", options, environment: null));

        Assert.Contains("(this one is '(no host environment)')", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    public void Validate_ClockSkewAtEitherEndOfItsRange_Accepted(int seconds)
    {
        var options = Usable();
        options.ClockSkew = TimeSpan.FromSeconds(seconds);

        Assert.Empty(KeywardAssertionPostConfigureOptions.Validate("KeywardAssertion", options, environment: null));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(301)]
    public void Validate_ClockSkewOneSecondOutsideItsRange_Refused(int seconds)
    {
        var options = Usable();
        options.ClockSkew = TimeSpan.FromSeconds(seconds);

        Assert.Contains("ClockSkew", Assert.Single(KeywardAssertionPostConfigureOptions.Validate("KeywardAssertion", options, environment: null)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_JwksCacheLifetimeEqualToRefreshInterval_Accepted()
    {
        var options = Usable();
        options.JwksCacheLifetime = options.JwksRefreshMinimumInterval;

        Assert.Empty(KeywardAssertionPostConfigureOptions.Validate("KeywardAssertion", options, environment: null));
    }

    [Fact]
    public void PostConfigure_NullOptions_ThrowsArgumentNull()
    {
        using var provider = new ServiceCollection().BuildServiceProvider();

        Assert.Throws<ArgumentNullException>(() => new KeywardAssertionPostConfigureOptions(provider).PostConfigure("KeywardAssertion", null!));
    }

    [Fact]
    public void AddKeywardAssertion_MissingArguments_Throw()
    {
        var builder = new ServiceCollection().AddAuthentication();

        Assert.Throws<ArgumentNullException>(() => KeywardAssertionExtensions.AddKeywardAssertion(null!, "KeywardAssertion", _ => { }));
        Assert.Throws<ArgumentException>(() => builder.AddKeywardAssertion(" ", _ => { }));
        Assert.Throws<ArgumentNullException>(() => builder.AddKeywardAssertion("KeywardAssertion", null!));
    }

    [Fact]
    public async Task AddKeywardAssertion_RegistersTheSchemeWithItsDisplayName()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAuthentication().AddKeywardAssertion(o =>
        {
            o.Authority = "https://keyward.example";
            o.Audience = "counter";
        });
        using var provider = services.BuildServiceProvider();

        var scheme = await provider.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(KeywardAssertionDefaults.AuthenticationScheme);

        Assert.Equal("Keyward assertion", scheme?.DisplayName);
    }
}
