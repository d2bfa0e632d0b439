using System.Text;
using Keyward.Core.Storage;
using Keyward.Core.Vault;

namespace Keyward.Core.Tests.Vault;

/// <summary><see cref="VaultService"/> on a real SQLite file: versions, listing, soft delete, bounds, and stored rows bound to their address.</summary>
public sealed class VaultServiceTests : IAsyncLifetime
{
    private VaultStore _store = null!;

    public async Task InitializeAsync() => _store = await VaultStore.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private async Task<string> ReadAsync(VaultAddress address, int? version = null)
    {
        var read = await _store.Service().GetAsync(address, version);
        Assert.True(read.Succeeded, $"read refused: {read.Failure}");
        using var secret = read.Value!;
        return Encoding.UTF8.GetString(secret.Value);
    }

    [Fact]
    public async Task PutAsync_ThenGet_ReturnsLatestOrAskedVersion()
    {
        var vault = _store.Service();
        var address = VaultStore.Address();

        Assert.Equal(1, (await vault.PutAsync(address, Bytes("one"))).Value);
        Assert.Equal(2, (await vault.PutAsync(address, Bytes("two"))).Value);

        Assert.Equal("two", await ReadAsync(address));
        Assert.Equal("one", await ReadAsync(address, 1));
        Assert.Equal(VaultFailure.NotFound, (await vault.GetAsync(address, 3)).Failure);
        Assert.Equal(VaultFailure.NotFound, (await vault.GetAsync(address with { Path = "github/other" })).Failure);
    }

    [Fact]
    public async Task PutAsync_PastMaxVersionsPerPath_DeletesTheOldestInTheSameWrite_OtherPathsKeepTheirs_NumberingGoesOn()
    {
        var vault = new VaultService(_store.Database, _store.Keys, _store.Keks.Options() with { MaxVersionsPerPath = 3 }, _store.Time);
        var address = VaultStore.Address();
        var other = VaultStore.Address("github/other");
        Assert.Equal(1, (await vault.PutAsync(other, Bytes("kept"))).Value);

        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(i, (await vault.PutAsync(address, Bytes($"v{i}"))).Value);
        }

        Assert.Equal([3, 4, 5], (await _store.RowsAsync()).Where(r => r.Path == address.Path).Select(r => r.Version).Order());
        Assert.Equal(VaultFailure.NotFound, (await vault.GetAsync(address, 2)).Failure);
        Assert.Equal("v3", await ReadAsync(address, 3));
        Assert.Equal("kept", await ReadAsync(other));
        Assert.True((await vault.DeleteAsync(address)).Succeeded);
        Assert.Equal(6, (await vault.PutAsync(address, Bytes("v6"))).Value);
        Assert.Equal([4, 5, 6], (await _store.RowsAsync()).Where(r => r.Path == address.Path).Select(r => r.Version).Order());
    }

    [Fact]
    public async Task PutAsync_StoresNoPlaintext_AndOneRowPerVersionUnderTheCurrentEpoch()
    {
        var value = Bytes("plaintext-that-must-not-be-stored");

        await _store.Service().PutAsync(VaultStore.Address(), value);

        var row = Assert.Single(await _store.RowsAsync());
        Assert.Equal(1, row.Epoch);
        Assert.Equal("credential", row.DataClass);
        Assert.Equal(value.Length + 16, row.Ciphertext.Length);
        Assert.Equal(48, row.WrappedKey.Length);
        Assert.Equal(12, row.KeyNonce.Length);
        Assert.Equal(12, row.ValueNonce.Length);
        Assert.False(row.Ciphertext.AsSpan().IndexOf("plaintext"u8) >= 0);
    }

    [Fact]
    public async Task PutAsync_ValueOverMaxValueBytes_IsRefusedAndNothingStored()
    {
        var vault = _store.Service(maxValueBytes: 16);

        Assert.True((await vault.PutAsync(VaultStore.Address(), new byte[16])).Succeeded);
        Assert.Equal(VaultFailure.ValueTooLarge, (await vault.PutAsync(VaultStore.Address("b"), new byte[17])).Failure);
        Assert.Single(await _store.RowsAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/leading")]
    [InlineData("trailing/")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("sp ace")]
    [InlineData("per%cent")]
    [InlineData("ünicode")]
    public async Task EveryOperation_InvalidPath_IsRefused(string path)
    {
        var vault = _store.Service();
        var address = VaultStore.Address(path);

        Assert.Equal(VaultFailure.PathInvalid, (await vault.PutAsync(address, Bytes("x"))).Failure);
        Assert.Equal(VaultFailure.PathInvalid, (await vault.GetAsync(address)).Failure);
        Assert.Equal(VaultFailure.PathInvalid, (await vault.DeleteAsync(address)).Failure);
        Assert.Empty(await _store.RowsAsync());
    }

    [Fact]
    public async Task PutAsync_PathLongerThanMax_IsRefused()
    {
        Assert.Equal(VaultFailure.PathInvalid, (await _store.Service().PutAsync(VaultStore.Address(new string('a', VaultPath.MaxLength + 1)), Bytes("x"))).Failure);
        Assert.True((await _store.Service().PutAsync(VaultStore.Address(new string('a', VaultPath.MaxLength)), Bytes("x"))).Succeeded);
    }

    [Fact]
    public async Task ListAsync_Prefix_ReturnsOnlyThatOwnersLivePathsWithLatestVersions()
    {
        var vault = _store.Service();
        await vault.PutAsync(VaultStore.Address("app/db"), Bytes("1"));
        await vault.PutAsync(VaultStore.Address("app/db"), Bytes("2"));
        await vault.PutAsync(VaultStore.Address("app/api"), Bytes("1"));
        await vault.PutAsync(VaultStore.Address("app/gone"), Bytes("1"));
        await vault.DeleteAsync(VaultStore.Address("app/gone"));
        await vault.PutAsync(VaultStore.Address("apple"), Bytes("1"));
        await vault.PutAsync(VaultStore.Address("app/other-class", VaultDataClass.Memory), Bytes("1"));
        await vault.PutAsync(VaultStore.Address("app/other-actor") with { ActorId = Guid.NewGuid() }, Bytes("1"));

        var listed = await vault.ListAsync(Tenants.Default, VaultDataClass.Credential, VaultStore.Operator, VaultStore.Actor, "app/", 10);

        Assert.Equal([("app/api", 1), ("app/db", 2)], listed.Value!.Select(e => (e.Path, e.Version)));
        var all = await vault.ListAsync(Tenants.Default, VaultDataClass.Credential, VaultStore.Operator, VaultStore.Actor, "", 10);
        Assert.Equal(["app/api", "app/db", "apple"], all.Value!.Select(e => e.Path));
        Assert.Equal(VaultFailure.PathInvalid, (await vault.ListAsync(Tenants.Default, VaultDataClass.Credential, VaultStore.Operator, VaultStore.Actor, "../", 10)).Failure);
    }

    [Fact]
    public async Task ListAsync_PrefixWithoutSlash_IsSegmentWiseAndCaseSensitive()
    {
        var vault = _store.Service();
        foreach (var path in new[] { "app", "app/db", "apple", "app-x/y", "APP/db" })
        {
            await vault.PutAsync(VaultStore.Address(path), Bytes("1"));
        }

        var listed = await vault.ListAsync(Tenants.Default, VaultDataClass.Credential, VaultStore.Operator, VaultStore.Actor, "app", 10);
        Assert.Equal(["app", "app/db"], listed.Value!.Select(e => e.Path));
        var below = await vault.ListAsync(Tenants.Default, VaultDataClass.Credential, VaultStore.Operator, VaultStore.Actor, "app/", 10);
        Assert.Equal(["app/db"], below.Value!.Select(e => e.Path));
    }

    [Fact]
    public async Task DeleteAsync_HidesEveryVersion_AndALaterPutContinuesTheNumbering()
    {
        var vault = _store.Service();
        var address = VaultStore.Address();
        await vault.PutAsync(address, Bytes("one"));
        await vault.PutAsync(address, Bytes("two"));

        Assert.Equal(2, (await vault.DeleteAsync(address)).Value);

        Assert.Equal(VaultFailure.NotFound, (await vault.GetAsync(address)).Failure);
        Assert.Equal(VaultFailure.NotFound, (await vault.GetAsync(address, 1)).Failure);
        Assert.Equal(VaultFailure.NotFound, (await vault.DeleteAsync(address)).Failure);
        Assert.Equal(2, (await _store.RowsAsync()).Count(r => r.DeletedAt is not null));
        Assert.Equal(3, (await vault.PutAsync(address, Bytes("three"))).Value);
        Assert.Equal("three", await ReadAsync(address));
    }

    [Fact]
    public async Task PutAsync_ConcurrentPutsToOnePath_GetDistinctVersions()
    {
        var address = VaultStore.Address();

        var versions = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => _store.Service().PutAsync(address, Bytes($"v{i}")))));

        Assert.All(versions, v => Assert.True(v.Succeeded, $"put refused: {v.Failure}"));
        Assert.Equal([1, 2, 3, 4], versions.Select(v => v.Value).Order());
    }

    [Fact]
    public async Task PutAsync_BeforeAnyEpoch_IsRefused()
    {
        await using var fresh = await VaultStore.CreateAsync(initialize: false);

        Assert.Equal(VaultFailure.NoEpoch, (await fresh.Service().PutAsync(VaultStore.Address(), Bytes("x"))).Failure);
    }

    [Fact]
    public async Task PutAndGet_KeyConfiguredForTheEpochChanged_AreRefusedAsMismatch()
    {
        await _store.Service().PutAsync(VaultStore.Address(), Bytes("x"));
        var replaced = _store.Track(new TestKeks(1).Load());

        Assert.Equal(VaultFailure.KeyMismatch, (await _store.Service(replaced).PutAsync(VaultStore.Address("b"), Bytes("x"))).Failure);
        Assert.Equal(VaultFailure.KeyMismatch, (await _store.Service(replaced).GetAsync(VaultStore.Address())).Failure);
    }

    [Fact]
    public async Task GetAsync_EpochKeyNoLongerConfigured_IsKeyMissing()
    {
        await _store.Service().PutAsync(VaultStore.Address(), Bytes("x"));
        var withoutEpoch1 = _store.Track(new TestKeks(2).Load());

        Assert.Equal(VaultFailure.KeyMissing, (await _store.Service(withoutEpoch1).GetAsync(VaultStore.Address())).Failure);
    }

    // Isolation layer (c) through storage: the stored bytes of one secret, copied into the row of another, do not decrypt.

    public static TheoryData<string> OtherAddresses => ["tenant", "class", "path", "operator", "actor"];

    [Theory]
    [MemberData(nameof(OtherAddresses))]
    public async Task GetAsync_CiphertextCopiedToAnotherAddressesRow_FailsToDecrypt(string field)
    {
        var vault = _store.Service();
        var victim = VaultStore.Address();
        var target = field switch
        {
            "tenant" => victim with { TenantId = "other-tenant" },
            "class" => victim with { DataClass = VaultDataClass.Memory },
            "path" => victim with { Path = "github/elsewhere" },
            "operator" => victim with { OperatorId = Guid.NewGuid() },
            _ => victim with { ActorId = Guid.NewGuid() },
        };
        await vault.PutAsync(victim, Bytes("victim's secret"));
        await vault.PutAsync(target, Bytes("attacker's own"));
        var rows = await _store.RowsAsync();
        await CopySealedAsync(from: rows[0], to: rows[1].Id);

        Assert.Equal(VaultFailure.DecryptFailed, (await vault.GetAsync(target)).Failure);
        Assert.Equal("victim's secret", await ReadAsync(victim));
    }

    [Fact]
    public async Task GetAsync_CiphertextCopiedToAnotherVersionOfThePath_FailsToDecrypt()
    {
        var vault = _store.Service();
        var address = VaultStore.Address();
        await vault.PutAsync(address, Bytes("old"));
        await vault.PutAsync(address, Bytes("new"));
        var rows = await _store.RowsAsync();

        await CopySealedAsync(from: rows[1], to: rows[0].Id);

        Assert.Equal(VaultFailure.DecryptFailed, (await vault.GetAsync(address, 1)).Failure);
    }

    [Theory]
    [MemberData(nameof(OtherAddresses))]
    public async Task GetAsync_RowMovedToAnotherAddress_FailsToDecryptThere(string field)
    {
        var vault = _store.Service();
        var address = VaultStore.Address();
        await vault.PutAsync(address, Bytes("secret"));
        var row = Assert.Single(await _store.RowsAsync());
        var moved = field switch
        {
            "tenant" => address with { TenantId = "other-tenant" },
            "class" => address with { DataClass = VaultDataClass.Memory },
            "path" => address with { Path = "github/elsewhere" },
            "operator" => address with { OperatorId = Guid.NewGuid() },
            _ => address with { ActorId = Guid.NewGuid() },
        };

        await _store.UpdateRowAsync(row.Id, r =>
        {
            r.TenantId = moved.TenantId;
            r.DataClass = moved.DataClass.Name;
            r.Path = moved.Path;
            r.OperatorId = moved.OperatorId;
            r.ActorId = moved.ActorId;
        });

        Assert.Equal(VaultFailure.DecryptFailed, (await vault.GetAsync(moved)).Failure);
        Assert.Equal(VaultFailure.NotFound, (await vault.GetAsync(address)).Failure);
    }

    [Fact]
    public async Task GetAsync_RowRelabelledToAnotherVersion_FailsToDecrypt()
    {
        await _store.Service().PutAsync(VaultStore.Address(), Bytes("secret"));
        var row = Assert.Single(await _store.RowsAsync());

        await _store.UpdateRowAsync(row.Id, r => r.Version = 2);

        Assert.Equal(VaultFailure.DecryptFailed, (await _store.Service().GetAsync(VaultStore.Address())).Failure);
    }

    [Fact]
    public async Task GetAsync_RowRelabelledToAnotherEpoch_FailsToDecrypt()
    {
        await _store.Service().PutAsync(VaultStore.Address(), Bytes("secret"));
        Assert.True((await _store.Epochs().AdvanceAsync(2)).Succeeded);
        var row = Assert.Single(await _store.RowsAsync());

        await _store.UpdateRowAsync(row.Id, r => r.Epoch = 2);

        Assert.Equal(VaultFailure.DecryptFailed, (await _store.Service().GetAsync(VaultStore.Address())).Failure);
    }

    [Fact]
    public void DataClasses_AreTheDocumentedSet_WithCredentialSensitive()
    {
        Assert.Equal(["credential", "memory"], VaultDataClass.All.Select(c => c.Name));
        Assert.True(VaultDataClass.Credential.Sensitive);
        Assert.False(VaultDataClass.Memory.Sensitive);
        Assert.Same(VaultDataClass.Memory, VaultDataClass.Find("memory"));
        Assert.Null(VaultDataClass.Find("Memory"));
        Assert.Null(VaultDataClass.Find(null));
    }

    [Fact]
    public void Failures_EachHasADistinctCodeAndAMessage()
    {
        var failures = Enum.GetValues<VaultFailure>();

        Assert.Equal(failures.Length, failures.Select(VaultFailures.Code).Distinct().Count());
        Assert.All(failures, f => Assert.StartsWith("vault_", VaultFailures.Code(f), StringComparison.Ordinal));
        Assert.All(failures, f => Assert.False(string.IsNullOrWhiteSpace(VaultFailures.Message(f))));
    }

    private Task CopySealedAsync(VaultSecretEntity from, long to) => _store.UpdateRowAsync(to, r =>
    {
        r.Epoch = from.Epoch;
        r.WrappedKey = from.WrappedKey;
        r.KeyNonce = from.KeyNonce;
        r.ValueNonce = from.ValueNonce;
        r.Ciphertext = from.Ciphertext;
    });
}
