using System.Text.Json.Nodes;
using Keyward.WebAuthn;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyward.EndToEnd.Tests.Browser;

/// <summary>
/// A minimal relying party on loopback for the browser tests: one page and four JSON endpoints backed by
/// Keyward.WebAuthn. State (the pending ceremony, the registered credentials) lives in memory and serves one page
/// at a time. The test sets what the server asks for (<see cref="Registration"/>, <see cref="SignInUserVerification"/>,
/// …) before it drives the page.
/// </summary>
internal sealed class WebAuthnTestHost : IAsyncDisposable
{
    private const string PageResource = "Keyward.EndToEnd.Tests.Browser.webauthn.html";

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<(StoredCredential Credential, IReadOnlyList<string> Transports)> _credentials = [];
    private readonly string _page;
    private RelyingParty? _relyingParty;
    private (RegistrationCeremony Ceremony, byte[] UserHandle)? _pendingRegistration;
    private AssertionCeremony? _pendingAssertion;

    private WebAuthnTestHost(WebApplication app, string page)
    {
        _app = app;
        _page = page;
    }

    /// <summary>The origin the browser must use: http://localhost:port (localhost is a secure context).</summary>
    public string Origin { get; private set; } = string.Empty;

    /// <summary>What the next registration asks for.</summary>
    public RegistrationOptionsRequest Registration { get; set; } = new()
    {
        UserName = "alice@example.test",
        DisplayName = "Alice Example",
    };

    /// <summary>The userVerification of the next sign-ins.</summary>
    public UserVerificationRequirement SignInUserVerification { get; set; } = UserVerificationRequirement.Preferred;

    /// <summary>True for a usernameless sign-in (no allowCredentials, the user handle identifies the account).</summary>
    public bool DiscoverableSignIn { get; set; }

    /// <summary>
    /// When set, the server-side ceremony requires this, whatever the options sent to the browser said: a relying
    /// party whose policy is stricter than what it asked the client for must still refuse the response.
    /// </summary>
    public UserVerificationRequirement? CeremonyUserVerificationOverride { get; set; }

    /// <summary>The last credential JSON the browser posted (for failure messages).</summary>
    public string? LastCredentialJson { get; private set; }

    /// <summary>The credentials registered so far.</summary>
    public IReadOnlyList<StoredCredential> Credentials
    {
        get
        {
            lock (_gate)
            {
                return [.. _credentials.Select(c => c.Credential)];
            }
        }
    }

    /// <summary>Starts Kestrel on 127.0.0.1 with a free port.</summary>
    public static async Task<WebAuthnTestHost> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();

        var host = new WebAuthnTestHost(app, ReadPage());
        host.MapEndpoints();
        await app.StartAsync();

        var bound = new Uri(app.Urls.Single());
        host.Origin = $"http://localhost:{bound.Port}";
        host._relyingParty = new RelyingParty(
            new RelyingPartyPolicy
            {
                RpId = "localhost",
                RpName = "Keyward browser tests",
                Origins = [host.Origin],
                // Bounded: a ceremony the browser cannot complete fails within the test's own time limit.
                Timeout = TimeSpan.FromSeconds(30),
            },
            TimeProvider.System);
        return host;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string ReadPage()
    {
        using var stream = typeof(WebAuthnTestHost).Assembly.GetManifestResourceStream(PageResource)
            ?? throw new InvalidOperationException($"The embedded page {PageResource} is missing from the test assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private RelyingParty RelyingParty => _relyingParty ?? throw new InvalidOperationException("The host has not finished starting.");

    private void MapEndpoints()
    {
        _app.MapGet("/", (HttpContext context) => WriteAsync(context, "text/html; charset=utf-8", _page));
        _app.MapPost("/register/options", (HttpContext context) => WriteJsonAsync(context, RegistrationOptionsJson()));
        _app.MapPost("/register/verify", async (HttpContext context) => await WriteJsonAsync(context, VerifyRegistration(await ReadBodyAsync(context))));
        _app.MapPost("/login/options", (HttpContext context) => WriteJsonAsync(context, AuthenticationOptionsJson()));
        _app.MapPost("/login/verify", async (HttpContext context) => await WriteJsonAsync(context, VerifyAssertion(await ReadBodyAsync(context))));
    }

    private string RegistrationOptionsJson()
    {
        lock (_gate)
        {
            var request = Registration with
            {
                ExcludeCredentials = [.. _credentials.Select(c => new CredentialDescriptor(c.Credential.CredentialId, c.Transports))],
            };
            var options = RelyingParty.CreateRegistrationOptions(request);
            var ceremony = CeremonyUserVerificationOverride is { } uv ? options.Ceremony with { UserVerification = uv } : options.Ceremony;
            _pendingRegistration = (ceremony, options.UserHandle);
            return options.ToJson();
        }
    }

    private string VerifyRegistration(string body)
    {
        lock (_gate)
        {
            LastCredentialJson = body;
            // Single use: whatever the outcome, this ceremony's challenge is spent.
            if (_pendingRegistration is not { } pending)
            {
                return Failure("no_pending_ceremony", "POST /register/options first.");
            }

            _pendingRegistration = null;
            var parsed = RegistrationCredential.Parse(body);
            if (!parsed.Succeeded)
            {
                return Failure(parsed.Failure);
            }

            var verified = RelyingParty.VerifyRegistration(parsed.Value, pending.Ceremony);
            if (!verified.Succeeded)
            {
                return Failure(verified.Failure);
            }

            var result = verified.Value;
            _credentials.Add((
                new StoredCredential
                {
                    CredentialId = result.CredentialId,
                    PublicKey = result.PublicKey.Encoded,
                    UserHandle = pending.UserHandle,
                    SignCount = result.SignCount,
                    BackupEligible = result.BackupEligible,
                },
                result.Transports));
            return new JsonObject
            {
                ["ok"] = true,
                ["code"] = null,
                ["fmt"] = result.Format,
                ["attestationType"] = result.AttestationType.ToString(),
                ["flags"] = (int)result.Flags,
                ["flagNames"] = result.Flags.ToString(),
                ["userVerified"] = result.UserVerified,
                ["backupEligible"] = result.BackupEligible,
                ["signCount"] = result.SignCount,
                ["credentialId"] = Base64Url.Encode(result.CredentialId),
                ["userHandle"] = Base64Url.Encode(pending.UserHandle),
                ["algorithm"] = result.PublicKey.Algorithm.ToString(),
                ["transports"] = new JsonArray([.. result.Transports.Select(t => JsonValue.Create(t))]),
            }.ToJsonString();
        }
    }

    private string AuthenticationOptionsJson()
    {
        lock (_gate)
        {
            var allow = DiscoverableSignIn
                ? []
                : _credentials.Select(c => new CredentialDescriptor(c.Credential.CredentialId, c.Transports)).ToList();
            var options = RelyingParty.CreateAuthenticationOptions(new AuthenticationOptionsRequest
            {
                AllowCredentials = allow,
                UserVerification = SignInUserVerification,
            });
            var ceremony = CeremonyUserVerificationOverride is { } uv ? options.Ceremony with { UserVerification = uv } : options.Ceremony;
            _pendingAssertion = ceremony;
            return options.ToJson();
        }
    }

    private string VerifyAssertion(string body)
    {
        lock (_gate)
        {
            LastCredentialJson = body;
            if (_pendingAssertion is not { } ceremony)
            {
                return Failure("no_pending_ceremony", "POST /login/options first.");
            }

            _pendingAssertion = null;
            var parsed = AuthenticationCredential.Parse(body);
            if (!parsed.Succeeded)
            {
                return Failure(parsed.Failure);
            }

            var index = _credentials.FindIndex(c => c.Credential.CredentialId.AsSpan().SequenceEqual(parsed.Value.RawId));
            if (index < 0)
            {
                return Failure("credential_unknown", "No registered credential has this id.");
            }

            var (stored, transports) = _credentials[index];
            var verified = RelyingParty.VerifyAssertion(parsed.Value, ceremony, stored);
            if (!verified.Succeeded)
            {
                return Failure(verified.Failure);
            }

            var result = verified.Value;
            _credentials[index] = (stored with { SignCount = result.SignCount }, transports);
            return new JsonObject
            {
                ["ok"] = true,
                ["code"] = null,
                ["flags"] = (int)result.Flags,
                ["flagNames"] = result.Flags.ToString(),
                ["userVerified"] = result.UserVerified,
                ["signCount"] = result.SignCount,
                ["possibleClone"] = result.PossibleClone,
                ["credentialId"] = Base64Url.Encode(result.CredentialId),
                ["userHandle"] = parsed.Value.UserHandle is { } handle ? Base64Url.Encode(handle) : null,
            }.ToJsonString();
        }
    }

    private static string Failure(WebAuthnFailure failure) => Failure(failure.Code, failure.Message);

    private static string Failure(string code, string message) =>
        new JsonObject { ["ok"] = false, ["code"] = code, ["message"] = message }.ToJsonString();

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }

    private static Task WriteJsonAsync(HttpContext context, string json) => WriteAsync(context, "application/json", json);

    private static Task WriteAsync(HttpContext context, string contentType, string body)
    {
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }
}
