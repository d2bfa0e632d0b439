using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Client;
using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Keyward.LoadBench.Hosting;
using Keyward.LoadBench.Load;
using Keyward.LoadBench.Trivial;
using Keyward.WebAuthn;
using Microsoft.EntityFrameworkCore;

namespace Keyward.LoadBench.Vault;

/// <summary>
/// The vault mode's bed: the trivial-upstream bed without nginx (Keyward in this process with a session, the
/// trivial upstream as a child), with the vault on (a KEK file, mode 0600, for epoch 1). The signed-in account (the
/// first admin) creates a service identity over the admin API, a 1-of-1 policy governs <c>grant_scope</c> with the
/// admin as its approver, the grant is proposed over the admin API and approved by the admin's virtual key (a real
/// WebAuthn assertion over the request's challenge, voted through <see cref="ApprovalService"/> as the tests do), and
/// the service writes one 1 KiB secret with a write capability. The vault path then reads it with a read capability.
/// </summary>
/// <remarks>
/// The class is <c>memory</c>, not <c>credential</c>: <c>credential</c> is sensitive, and every read of it spends one
/// approved <c>read_sensitive_secret</c> (docs/approvals.md, "Sensitive reads"), so a load of credential reads would
/// need a quorum vote per request. Both classes take the same path through the plane otherwise.
/// </remarks>
internal sealed class VaultBed : ILoadBed
{
    public const string Vault = "vault";
    public const string DataClass = "memory";
    public const string SecretPath = "bench/secret";
    public const int SecretBytes = 1024;

    /// <summary>A capability is minted again when it has less than this left: more than a run and its slack (40 + 15 s).</summary>
    private static readonly TimeSpan Refresh = TimeSpan.FromMinutes(2);

    private readonly TrivialBed _trivial;
    private readonly List<Target> _targets = [];
    private HttpClient? _http;
    private KeywardClient? _client;
    private string _serviceKey = string.Empty;
    private MintedCapability? _capability;
    private byte[] _secret = [];

    private VaultBed(TrivialBed trivial) => _trivial = trivial;

    public IReadOnlyList<Target> Targets => _targets;

    public string DataDirectory => _trivial.DataDirectory;

    public string CaFile => _trivial.CaFile;

    public TimeSpan UpstreamCpu => _trivial.UpstreamCpu;

    public TimeSpan NginxCpu => TimeSpan.Zero;

    /// <summary>The service identity whose secret is read.</summary>
    public Guid Actor { get; private set; }

    /// <summary>Read capabilities minted so far (one at set-up, then one whenever the last nears its expiry, between runs).</summary>
    public int CapabilitiesMinted { get; private set; }

    /// <summary>The length of a vault read's answer, checked on every request.</summary>
    public int BodyLength { get; private set; }

    public static async Task<VaultBed> StartAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var trivial = await TrivialBed.StartAsync(log, cancellationToken, VaultSettings, nginx: false);
        var bed = new VaultBed(trivial);
        try
        {
            await bed.StartCoreAsync(log, cancellationToken);
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>One request through <paramref name="target"/>: the upstream's count, or for the vault path a checked read (−1).</summary>
    public async Task<long> IncrementAsync(Target target, CancellationToken cancellationToken)
    {
        if (target.Name != Vault)
        {
            return await _trivial.IncrementAsync(target, cancellationToken);
        }

        await ReadOnceAsync(target.Credential().Value, cancellationToken);
        return -1;
    }

    /// <summary>The vault's KEK for epoch 1 in a file of the bed's (0600), and no per-actor limit in the bench's way.</summary>
    private static Dictionary<string, string> VaultSettings(string directory)
    {
        var file = Path.Combine(directory, "vault-kek-1.key");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(file, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        return new Dictionary<string, string>
        {
            ["Keyward:Vault:Keys:1:File"] = file,

            // 6,000 a minute by default: one actor at load would meet it in a second. The limiter still counts.
            ["Keyward:Vault:RequestsPerActorPerMinute"] = "1000000",
        };
    }

    private async Task StartCoreAsync(TextWriter log, CancellationToken ct)
    {
        var keyward = _trivial.KeywardHost;
        var key = _trivial.Key ?? throw new InvalidOperationException("The trivial bed has no key.");
        var handler = new SocketsHttpHandler { UseCookies = false, UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = CaTrust.Only(CaFile);
        _http = new HttpClient(handler) { BaseAddress = keyward.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        _client = new KeywardClient(_http, new KeywardClientOptions { Origin = keyward.Origin });

        Guid admin;
        await using (var db = keyward.GetRequiredService<KeywardDatabase>().CreateContext())
        {
            admin = await db.Accounts.Where(a => a.Name == TrivialBed.Account).Select(a => a.Id).SingleAsync(ct);
        }

        await _client.StepUpAsync(key, _trivial.SessionToken, "admin", cancellationToken: ct);
        var created = await AdminAsync("/api/admin/actors", new JsonObject { ["label"] = "vault bench" }, HttpStatusCode.OK, ct);
        Actor = Guid.Parse(created.GetProperty("id").GetString()!);
        _serviceKey = created.GetProperty("service_key").GetString()!;

        var policy = await keyward.GetRequiredService<ApprovalPolicyService>().CreateAsync(
            new ApprovalPolicyDraft { Name = "scopes", Kinds = [OperationKind.GrantScope], Groups = [new("owners", 1, [admin])] },
            ct);
        if (!policy.Succeeded)
        {
            throw new InvalidOperationException($"The approval policy over grant_scope was refused: {policy.Failure}");
        }

        var proposed = await AdminAsync("/api/admin/scopes", new JsonObject
        {
            ["actor_id"] = Actor.ToString(),
            ["actor_kind"] = "service",
            ["operations"] = new JsonArray("read", "write"),
            ["data_classes"] = new JsonArray(DataClass),
            ["prefixes"] = new JsonArray("bench/"),
        }, HttpStatusCode.Accepted, ct);
        await ApproveAsync(keyward, key, admin, Guid.Parse(proposed.GetProperty("request_id").GetString()!), ct);

        _secret = RandomNumberGenerator.GetBytes(SecretBytes);
        var write = await _client.MintCapabilityAsync(_serviceKey, "write", DataClass, SecretPath, cancellationToken: ct);
        var version = await _client.PutSecretAsync(write.Token, DataClass, Actor, SecretPath, _secret, ct);
        if (version != 1)
        {
            throw new InvalidOperationException($"The bench's secret was written as version {version}, not 1.");
        }

        var address = new Uri(_http.BaseAddress!, KeywardPaths.VaultSecret(DataClass, Actor, SecretPath));
        BodyLength = await ReadOnceAsync(Capability().Value, ct);
        await CheckRefusalAsync(address, ct);
        _targets.Add(_trivial.Targets.Single(t => t.Name == TrivialBed.Direct));
        _targets.Add(_trivial.Targets.Single(t => t.Name == TrivialBed.Keyward));
        _targets.Add(new Target(Vault, $"vault read of a {SecretBytes} B `{DataClass}` secret with a capability", address, Capability)
        {
            Method = HttpMethod.Get,
            ExpectedBodyLength = BodyLength,
            ReachesUpstream = false,
        });
        log.WriteLine($"vault on (KEK file, epoch 1); service identity {Actor} granted read+write on {DataClass}:bench/ by a 1-of-1 quorum; {SecretBytes} B secret written, a read answers {BodyLength} bytes");
    }

    /// <summary>The read capability, minted again (outside any timed run: a target's credential is taken before its run starts) when it nears its expiry.</summary>
    private RequestCredential Capability()
    {
        if (_capability is null || _capability.ExpiresAt - DateTimeOffset.UtcNow < Refresh)
        {
            _capability = _client!.MintCapabilityAsync(_serviceKey, "read", DataClass, SecretPath).GetAwaiter().GetResult();
            CapabilitiesMinted++;
        }

        return new RequestCredential("Authorization", "Bearer " + _capability.Token);
    }

    /// <summary>One vault read, checked: 200, the right path and version, and the bytes written. Answers the body's length.</summary>
    private async Task<int> ReadOnceAsync(string authorization, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, KeywardPaths.VaultSecret(DataClass, Actor, SecretPath));
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await _http!.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{Vault}: the read answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        }

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (root.GetProperty("path").GetString() != SecretPath || root.GetProperty("version").GetInt32() != 1
            || !root.GetProperty("value_base64").GetBytesFromBase64().AsSpan().SequenceEqual(_secret))
        {
            throw new InvalidOperationException($"{Vault}: the read answered another secret than the one written.");
        }

        if (BodyLength != 0 && body.Length != BodyLength)
        {
            throw new InvalidOperationException($"{Vault}: the read answered {body.Length} bytes, not {BodyLength}.");
        }

        return body.Length;
    }

    /// <summary>The negative half of the pre-flight: the same read with the session instead of a capability is 401 <c>cap_invalid</c>.</summary>
    private async Task CheckRefusalAsync(Uri address, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _trivial.SessionToken);
        using var response = await _http!.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !body.Contains("\"cap_invalid\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{Vault}: a read with the session instead of a capability answered {(int)response.StatusCode}, not 401 cap_invalid.");
        }
    }

    /// <summary>An admin API call with the stepped-up session; answers its JSON.</summary>
    private async Task<JsonElement> AdminAsync(string path, JsonObject body, HttpStatusCode expected, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _trivial.SessionToken);
        request.Headers.TryAddWithoutValidation("Origin", _trivial.KeywardHost.Origin);
        using var response = await _http!.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}, not {(int)expected}: {text}");
        }

        using var json = JsonDocument.Parse(text);
        return json.RootElement.Clone();
    }

    /// <summary>The admin's vote: a WebAuthn assertion by its virtual key over the request's challenge, which completes the 1-of-1 quorum.</summary>
    private static async Task ApproveAsync(Keyward.Testing.Hosting.KeywardTestHost keyward, Keyward.Authenticator.VirtualAuthenticator key, Guid admin, Guid requestId, CancellationToken ct)
    {
        var approvals = keyward.GetRequiredService<ApprovalService>();
        var request = await approvals.GetAsync(requestId, ct) ?? throw new InvalidOperationException($"The approval request {requestId} does not exist.");
        byte[] credentialId;
        await using (var db = keyward.GetRequiredService<KeywardDatabase>().CreateContext())
        {
            credentialId = await db.Authenticators.Where(a => a.AccountId == admin).Select(a => a.CredentialId).FirstAsync(ct);
        }

        var options = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["challenge"] = Base64Url.Encode(request.Challenge),
            ["rpId"] = new Uri(keyward.Origin).Host,
            ["allowCredentials"] = new[] { new Dictionary<string, string> { ["type"] = "public-key", ["id"] = Base64Url.Encode(credentialId) } },
            ["userVerification"] = "required",
        });
        var assertion = AuthenticationCredential.Parse(key.GetAssertion(options, keyward.Origin)).Value;
        var vote = await approvals.VoteAsync(requestId, assertion, ct);
        if (!vote.Succeeded || !vote.Value.Applied)
        {
            throw new InvalidOperationException($"The admin's vote did not grant the scope: {vote.Failure?.ToString() ?? "not applied"}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        await _trivial.DisposeAsync();
    }
}
