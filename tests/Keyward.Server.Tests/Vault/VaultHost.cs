using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Keyward.Client;
using Keyward.Core.Audit;
using Keyward.Core.Capabilities;
using Keyward.Core.Vault;
using Keyward.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Server.Tests.Vault;

/// <summary>
/// One Keyward on Kestrel (TLS, SQLite) with the vault on (a random KEK for epoch 1 in an environment variable of its
/// own), a <see cref="TestCapabilities"/> verifier and <see cref="TestApprovals"/>, and helpers for the vault plane.
/// Values never appear in assertion messages.
/// </summary>
internal sealed class VaultHost : IAsyncDisposable
{
    private readonly TempDirectory? _data;
    private readonly List<string> _variables;

    private VaultHost(TempDirectory? data, KeywardTestHost host, TestCapabilities capabilities, TestApprovals approvals, List<string> variables)
    {
        _data = data;
        Host = host;
        Capabilities = capabilities;
        Approvals = approvals;
        _variables = variables;
        Client = host.CreateClient();
    }

    public const string Tenant = "default";

    public KeywardTestHost Host { get; }

    public KeywardTestClient Client { get; }

    public TestCapabilities Capabilities { get; }

    public TestApprovals Approvals { get; }

    public Guid Actor { get; } = Guid.NewGuid();

    /// <summary>
    /// Starts Keyward. <paramref name="withKeys"/> false: no vault key at all (a fresh install). <paramref name="verifier"/>
    /// false: no capability verifier registered, as in production until the capabilities slice lands.
    /// </summary>
    public static async Task<VaultHost> StartAsync(bool withKeys = true, bool verifier = true, bool approvals = true, Dictionary<string, string>? settings = null, string? dataDirectory = null, TimeProvider? time = null)
    {
        var capabilities = new TestCapabilities(Tenant);
        var approved = new TestApprovals();
        var variables = new List<string>();
        var all = new Dictionary<string, string>
        {
            ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
            ["Keyward:SignIn:FailuresBeforeBackoff"] = "100000",
        };
        if (withKeys)
        {
            var variable = "KEYWARD_TEST_VAULT_KEK_" + Guid.NewGuid().ToString("N");
            Environment.SetEnvironmentVariable(variable, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            variables.Add(variable);
            all["Keyward:Vault:Keys:1:Environment"] = variable;
        }

        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var data = dataDirectory is null ? new TempDirectory("keyward-vault-") : null;
        var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            DataDirectory = dataDirectory ?? data!.Path,
            Settings = all,
            Time = time,
            Services = services =>
            {
                if (verifier)
                {
                    services.AddSingleton<ICapabilityVerifier>(capabilities);
                }

                if (approvals)
                {
                    services.AddSingleton<ISensitiveReadApprovals>(approved);
                }
            },
        });
        return new VaultHost(data, host, capabilities, approved, variables);
    }

    public static string SecretPath(VaultDataClass dataClass, Guid actor, string path) => $"/vault/v1/{dataClass.Name}/actors/{actor}/secrets/{path}";

    public static string ListPath(VaultDataClass dataClass, Guid actor, string? prefix = null) =>
        $"/vault/v1/{dataClass.Name}/actors/{actor}/list" + (prefix is null ? string.Empty : "?prefix=" + Uri.EscapeDataString(prefix));

    public VaultAddress Address(VaultDataClass dataClass, string path, Guid? actor = null) => new(Tenant, dataClass, Capabilities.Operator, actor ?? Actor, path);

    public Task<KeywardResponse> PutAsync(VaultDataClass dataClass, string path, byte[] value, string token, Guid? actor = null) =>
        Client.SendAsync(HttpMethod.Put, SecretPath(dataClass, actor ?? Actor, path), new JsonObject { ["value_base64"] = Convert.ToBase64String(value) }, token);

    /// <summary>Writes with a fresh write capability; the write must succeed. Returns its version.</summary>
    public async Task<int> WriteAsync(VaultDataClass dataClass, string path, string value)
    {
        var written = await PutAsync(dataClass, path, Encoding.UTF8.GetBytes(value), Capabilities.Issue(CapabilityOperations.Write, dataClass.Name, Actor, path));
        Assert.Equal(200, written.StatusCode);
        return written.Json.GetProperty("version").GetInt32();
    }

    public Task<KeywardResponse> GetAsync(VaultDataClass dataClass, string path, string token, Guid? actor = null, int? version = null) =>
        Client.GetAsync(SecretPath(dataClass, actor ?? Actor, path) + (version is { } v ? $"?version={v}" : string.Empty), token);

    /// <summary>Reads with a fresh read capability (and, for a sensitive class, an approval).</summary>
    public Task<KeywardResponse> ReadAsync(VaultDataClass dataClass, string path, int? version = null)
    {
        if (dataClass.Sensitive)
        {
            Approvals.Approve(Address(dataClass, path));
        }

        return GetAsync(dataClass, path, Capabilities.Issue(CapabilityOperations.Read, dataClass.Name, Actor, path), version: version);
    }

    public static string Value(KeywardResponse read) => Encoding.UTF8.GetString(Convert.FromBase64String(read.GetString("value_base64")));

    /// <summary>Every audit event so far (counted refusals written first).</summary>
    public async Task<List<AuditEvent>> EventsAsync()
    {
        await Host.GetRequiredService<Keyward.Server.Audit.RefusalCounter>().FlushAsync();
        var reader = Host.GetRequiredService<AuditReader>();
        var events = new List<AuditEvent>();
        long? after = null;
        do
        {
            var page = await reader.ListAsync(new AuditQuery { After = after, Limit = AuditQuery.MaxLimit });
            events.AddRange(page.Events);
            after = page.Next;
        }
        while (after is not null);
        return events;
    }

    /// <summary>Stops Keyward and hands over its data directory (the caller disposes it) for another start.</summary>
    public async Task<TempDirectory> StopAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        return _data ?? throw new InvalidOperationException("This host does not own its data directory.");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        _data?.Dispose();
        foreach (var variable in _variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
