using System.Text;
using Keyward.Client;
using Keyward.Core.Capabilities;

namespace Keyward.Server.Tests.Vault;

/// <summary><c>Keyward.Client</c> for actors against the vault plane (capabilities from <see cref="TestCapabilities"/>).</summary>
public sealed class VaultClientTests : IAsyncLifetime
{
    private VaultHost _vault = null!;

    public async Task InitializeAsync() => _vault = await VaultHost.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task PutGetListDelete_ThroughTheClient_RoundTripAsBytes()
    {
        using var http = _vault.Host.CreateHttpClient();
        var client = new KeywardClient(http);
        var actor = _vault.Actor;
        var caps = _vault.Capabilities;
        var value = new byte[] { 0, 1, 2, 250, 255, (byte)'+', (byte)'/' };

        Assert.Equal(1, await client.PutSecretAsync(caps.Issue(CapabilityOperations.Write, "memory", actor, "bin/blob"), "memory", actor, "bin/blob", value));
        Assert.Equal(2, await client.PutSecretAsync(caps.Issue(CapabilityOperations.Write, "memory", actor, "bin/blob"), "memory", actor, "bin/blob", Encoding.UTF8.GetBytes("two")));

        using (var read = await client.GetSecretAsync(caps.Issue(CapabilityOperations.Read, "memory", actor, "bin/blob"), "memory", actor, "bin/blob", version: 1))
        {
            Assert.Equal(value, read.Value.ToArray());
            Assert.Equal(1, read.Version);
            Assert.DoesNotContain("250", read.ToString(), StringComparison.Ordinal);
        }

        var entries = await client.ListSecretsAsync(caps.Issue(CapabilityOperations.List, "memory", actor, "bin/"), "memory", actor, "bin/");
        Assert.Equal(("bin/blob", 2), (Assert.Single(entries).Path, entries[0].Version));

        Assert.Equal(2, await client.DeleteSecretAsync(caps.Issue(CapabilityOperations.Delete, "memory", actor, "bin/blob"), "memory", actor, "bin/blob"));
        var gone = await Assert.ThrowsAsync<KeywardProblemException>(() => client.GetSecretAsync(caps.Issue(CapabilityOperations.Read, "memory", actor, "bin/blob"), "memory", actor, "bin/blob"));
        Assert.Equal("vault_secret_not_found", gone.Code);
    }

    [Fact]
    public async Task GetSecret_Refused_ThrowsWithTheCodeAndNoToken()
    {
        using var http = _vault.Host.CreateHttpClient();
        var client = new KeywardClient(http);
        var token = _vault.Capabilities.Issue(CapabilityOperations.Read, "credential", _vault.Actor, "x");
        var refused = await Assert.ThrowsAsync<KeywardProblemException>(() => client.GetSecretAsync(token, "memory", _vault.Actor, "x"));
        Assert.Equal("cap_data_class_mismatch", refused.Code);
        Assert.DoesNotContain(token, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MintCapability_NotAnActorKey_IsRefusedBeforeSending()
    {
        using var http = _vault.Host.CreateHttpClient();
        var client = new KeywardClient(http);
        await Assert.ThrowsAsync<ArgumentException>(() => client.MintCapabilityAsync("kws_session", "read", "memory", "x"));
    }
}
