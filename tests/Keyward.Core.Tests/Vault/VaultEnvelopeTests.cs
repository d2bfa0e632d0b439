using System.Text;
using Keyward.Core.Vault;

namespace Keyward.Core.Tests.Vault;

/// <summary>
/// <see cref="VaultEnvelope"/> without storage: a sealed version opens only at exactly the address, version and epoch
/// it was sealed for (isolation layer (c) of issue 12, item 7, one test per bound field).
/// </summary>
public sealed class VaultEnvelopeTests : IDisposable
{
    private static readonly byte[] Value = Encoding.UTF8.GetBytes("ghp_example-credential-value");
    private readonly LocalKeyEncryptionKeys _keys = new TestKeks(1, 2).Load();

    public void Dispose() => _keys.Dispose();

    private static VaultAddress Address => VaultStore.Address();

    private async Task<SealedSecret> SealAsync() => await VaultEnvelope.SealAsync(_keys, Address, 1, 1, Value);

    [Fact]
    public async Task OpenAsync_SameAddressVersionEpoch_ReturnsTheValue()
    {
        var sealedSecret = await SealAsync();

        using var secret = await VaultEnvelope.OpenAsync(_keys, Address, 1, sealedSecret);

        Assert.NotNull(secret);
        Assert.Equal(Value, secret.Value.ToArray());
        Assert.DoesNotContain("ghp_", secret.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SealAsync_SameValueTwice_UsesFreshDataKeysAndNonces()
    {
        var first = await SealAsync();
        var second = await SealAsync();

        Assert.Equal(12, first.Nonce.Length);
        Assert.Equal(Value.Length + 16, first.Ciphertext.Length);
        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
        Assert.NotEqual(first.DataKey.Ciphertext, second.DataKey.Ciphertext);
    }

    [Fact]
    public async Task OpenAsync_AnotherTenant_Fails() =>
        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address with { TenantId = "other" }, 1, await SealAsync()));

    [Fact]
    public async Task OpenAsync_AnotherDataClass_Fails() =>
        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address with { DataClass = VaultDataClass.Memory }, 1, await SealAsync()));

    [Fact]
    public async Task OpenAsync_AnotherPath_Fails() =>
        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address with { Path = "github/token2" }, 1, await SealAsync()));

    [Fact]
    public async Task OpenAsync_AnotherVersion_Fails() =>
        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address, 2, await SealAsync()));

    [Fact]
    public async Task OpenAsync_AnotherOperator_Fails() =>
        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address with { OperatorId = Guid.NewGuid() }, 1, await SealAsync()));

    [Fact]
    public async Task OpenAsync_AnotherActor_Fails() =>
        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address with { ActorId = Guid.NewGuid() }, 1, await SealAsync()));

    [Fact]
    public async Task OpenAsync_WrappedKeyClaimedForAnotherEpoch_Fails() =>
        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address, 1, await SealAsync() with { Epoch = 2 }));

    [Fact]
    public async Task OpenAsync_CiphertextOrNonceOrTagFlipped_Fails()
    {
        var sealedSecret = await SealAsync();
        byte[] Flip(byte[] bytes, int index)
        {
            var copy = bytes.ToArray();
            copy[index] ^= 0x01;
            return copy;
        }

        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address, 1, sealedSecret with { Ciphertext = Flip(sealedSecret.Ciphertext, 0) }));
        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address, 1, sealedSecret with { Ciphertext = Flip(sealedSecret.Ciphertext, sealedSecret.Ciphertext.Length - 1) }));
        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address, 1, sealedSecret with { Nonce = Flip(sealedSecret.Nonce, 5) }));
        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address, 1, sealedSecret with { DataKey = sealedSecret.DataKey with { Ciphertext = Flip(sealedSecret.DataKey.Ciphertext, 3) } }));
    }

    [Fact]
    public async Task OpenAsync_ValueOfAnotherSecretWithThisWrappedKey_Fails()
    {
        // Splicing: this version's wrapped key with another version's value (sealed for the same address) must not open.
        var first = await SealAsync();
        var second = await SealAsync();

        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address, 1, first with { Nonce = second.Nonce, Ciphertext = second.Ciphertext }));
    }

    [Fact]
    public async Task RewrapAsync_ToAnotherEpoch_OpensThereWithTheSameValueCiphertext()
    {
        var sealedSecret = await SealAsync();

        var moved = await VaultEnvelope.RewrapAsync(_keys, Address, 1, sealedSecret, 2);

        Assert.NotNull(moved);
        Assert.Equal(2, moved.Epoch);
        Assert.Equal(sealedSecret.Ciphertext, moved.Ciphertext);
        using var secret = await VaultEnvelope.OpenAsync(_keys, Address, 1, moved);
        Assert.Equal(Value, secret!.Value.ToArray());
        Assert.Null(await VaultEnvelope.OpenAsync(_keys, Address, 1, moved with { Epoch = 1 }));
    }

    [Fact]
    public async Task RewrapAsync_ForAnotherAddress_Fails() =>
        Assert.Null(await VaultEnvelope.RewrapAsync(_keys, Address with { Path = "other" }, 1, await SealAsync(), 2));

    [Fact]
    public void Dispose_ClearsThePlaintextBuffer_AndRefusesFurtherReads()
    {
        var buffer = Value.ToArray();
        var secret = new VaultSecret("p", 1, buffer);

        secret.Dispose();

        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => secret.Value.Length);
    }
}
