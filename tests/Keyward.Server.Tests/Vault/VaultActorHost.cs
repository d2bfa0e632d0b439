using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Keyward.Core.Vault;
using Keyward.Server.Tests.Capabilities;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests.Vault;

/// <summary>
/// The capabilities host (Kestrel, TLS, SQLite, fake clock, scopes granted by a quorum of real WebAuthn assertions)
/// with the vault on: a random KEK for epoch 1 in an environment variable of its own. Nothing is stood in: actors mint
/// real <c>kw-cap+jwt</c> tokens and the vault plane checks them with the registered <c>CapabilityVerifier</c>.
/// </summary>
public sealed class VaultActorHost : CapabilityHost, IAsyncLifetime
{
    private readonly string _variable = "KEYWARD_TEST_VAULT_KEK_" + Guid.NewGuid().ToString("N");

    public VaultActorHost() => Environment.SetEnvironmentVariable(_variable, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    protected override IReadOnlyDictionary<string, string> Settings =>
        new Dictionary<string, string>(base.Settings) { ["Keyward:Vault:Keys:1:Environment"] = _variable };

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Environment.SetEnvironmentVariable(_variable, null);
    }

    /// <summary>A capability minted with the actor's key (a service key at the actor plane, an agent key at the agent plane); the mint must succeed.</summary>
    internal async Task<string> CapabilityAsync(string key, string operation, string dataClass, string path)
    {
        var minted = key.StartsWith("kwa_", StringComparison.Ordinal)
            ? await MintAsAgentAsync(key, operation, dataClass, path)
            : await MintAsync(key, operation, dataClass, path);
        ProblemAssert.Ok(minted);
        return minted.GetString("capability");
    }

    /// <summary>PUT a value at the actor's secret with <paramref name="capability"/> as Bearer.</summary>
    internal Task<KeywardResponse> PutAsync(string capability, string dataClass, Guid actor, string path, byte[] value) =>
        Client.SendAsync(HttpMethod.Put, VaultHost.SecretPath(VaultDataClass.Find(dataClass)!, actor, path), new JsonObject { ["value_base64"] = Convert.ToBase64String(value) }, capability);

    /// <summary>GET the actor's secret with <paramref name="capability"/> as Bearer.</summary>
    internal Task<KeywardResponse> GetAsync(string capability, string dataClass, Guid actor, string path) =>
        Client.GetAsync(VaultHost.SecretPath(VaultDataClass.Find(dataClass)!, actor, path), capability);
}
