using System.Security.Claims;
using Keyward.AspNetCore;
using Keyward.Samples.Counter;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, CounterOptions.SwitchMappings);

builder.Services.AddOptions<CounterOptions>()
    .BindConfiguration(CounterOptions.Section)
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<CounterOptions>, CounterOptionsValidator>();
builder.Services.AddSingleton<CounterStore>();

builder.Services.AddAuthentication(KeywardAssertionDefaults.AuthenticationScheme)
    .AddKeywardAssertion(_ => { })
    .AddKeywardAssertion(EchoEndpoint.Scheme, _ => { });
builder.Services.AddOptions<KeywardAssertionOptions>(KeywardAssertionDefaults.AuthenticationScheme)
    .Configure<IOptions<CounterOptions>>((options, counter) => CounterAuthentication.Configure(options, counter.Value));

// The echo socket is its own route in Keyward, so its assertions carry its own audience.
builder.Services.AddOptions<KeywardAssertionOptions>(EchoEndpoint.Scheme)
    .Configure<IOptions<CounterOptions>>((options, counter) =>
    {
        CounterAuthentication.Configure(options, counter.Value);
        options.Audience = builder.Configuration["Counter:EchoAudience"] ?? EchoEndpoint.DefaultAudience;
    });

// Deny by default: every endpoint needs a Keyward assertion unless it says otherwise.
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(CounterAuthentication.Policy, policy => policy
        .AddAuthenticationSchemes(KeywardAssertionDefaults.AuthenticationScheme)
        .RequireAuthenticatedUser())
    .AddPolicy(EchoEndpoint.Policy, policy => policy
        .AddAuthenticationSchemes(EchoEndpoint.Scheme)
        .RequireAuthenticatedUser())
    .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(KeywardAssertionDefaults.AuthenticationScheme)
        .RequireAuthenticatedUser()
        .Build());

var app = builder.Build();

var store = app.Services.GetRequiredService<CounterStore>();
store.Initialize();
app.Logger.StorageReady(store.DatabasePath);

app.UseWebSockets();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();

app.MapPost("/resource/counter", async (CounterStore counter, ClaimsPrincipal user, ILogger<CounterStore> logger) =>
{
    var value = await counter.IncrementAsync();
    logger.Incremented(value, user.FindFirst(KeywardAssertionClaimTypes.Subject)?.Value);
    return Results.Json(new CounterResponse(value));
}).RequireAuthorization(CounterAuthentication.Policy);

EchoEndpoint.Map(app);

app.Run();

/// <summary>The entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
