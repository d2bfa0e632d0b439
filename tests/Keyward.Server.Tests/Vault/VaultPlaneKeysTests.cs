using System.Security.Cryptography;
using Keyward.Core.Storage;
using Keyward.Core.Vault;

namespace Keyward.Server.Tests.Vault;

/// <summary>
/// The server's <see cref="IKeyEncryptionKeyProvider"/> is the keys the vault opened at start (<c>VaultPlaneKeys</c>):
/// the approvals slice's <c>advance_key_epoch</c> applier takes it from the container, and without it every advance in
/// a real Keyward was refused <c>approval_operation_not_supported</c> (<c>keyward demo vault</c> advances one for real).
/// </summary>
public sealed class VaultPlaneKeysTests
{
    [Fact]
    public async Task KeyProvider_VaultOn_IsTheOpenedKeys_WithTheNextEpochsKeyAndNoOther()
    {
        var variable = "KEYWARD_TEST_VAULT_KEK_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        try
        {
            await using var vault = await VaultHost.StartAsync(settings: new() { ["Keyward:Vault:Keys:2:Environment"] = variable });

            var keys = vault.Host.GetRequiredService<IKeyEncryptionKeyProvider>();

            var recorded = await new VaultEpochs(vault.Host.GetRequiredService<KeywardDatabase>(), keys, TimeProvider.System).ListAsync();
            Assert.Equal(Assert.Single(recorded).KeyId, keys.KeyId(1));
            Assert.NotNull(keys.KeyId(2));
            Assert.NotEqual(keys.KeyId(1), keys.KeyId(2));
            Assert.Null(keys.KeyId(3));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task KeyProvider_VaultOff_HasNoKey_AndRefusesToWrap()
    {
        await using var vault = await VaultHost.StartAsync(withKeys: false);

        var keys = vault.Host.GetRequiredService<IKeyEncryptionKeyProvider>();

        Assert.Null(keys.KeyId(1));
        await Assert.ThrowsAsync<VaultKeyUnavailableException>(async () => await keys.WrapAsync(1, new byte[32], ReadOnlyMemory<byte>.Empty));
    }
}
