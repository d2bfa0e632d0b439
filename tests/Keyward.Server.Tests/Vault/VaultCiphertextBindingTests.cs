using Keyward.Core.Capabilities;
using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests.Vault;

/// <summary>
/// Layer (c) of issue 12 item 7 over the wire: a ciphertext row copied in the database to another class, path, actor
/// or operator does not decrypt there. The read answers 500 <c>vault_decrypt_failed</c> as problem+json, never the
/// plaintext, never a stack.
/// </summary>
public sealed class VaultCiphertextBindingTests : IAsyncLifetime
{
    private const string Plain = "copied-secret-7f3a";

    private VaultHost _vault = null!;

    public async Task InitializeAsync() => _vault = await VaultHost.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task Read_RowCopiedToAnotherPath_FailsAuthentication()
    {
        await _vault.WriteAsync(VaultDataClass.Memory, "src", Plain);
        await CopyAsync(row => row.Path = "dst");
        await AssertDecryptFailsAsync(VaultDataClass.Memory, "dst", _vault.Actor, _vault.Capabilities.Operator);
    }

    [Fact]
    public async Task Read_RowCopiedToAnotherClass_FailsAuthentication()
    {
        await _vault.WriteAsync(VaultDataClass.Memory, "src", Plain);
        await CopyAsync(row => row.DataClass = VaultDataClass.Credential.Name);
        _vault.Approvals.Approve(_vault.Address(VaultDataClass.Credential, "src"));
        await AssertDecryptFailsAsync(VaultDataClass.Credential, "src", _vault.Actor, _vault.Capabilities.Operator);
    }

    [Fact]
    public async Task Read_RowCopiedToAnotherActor_FailsAuthentication()
    {
        await _vault.WriteAsync(VaultDataClass.Memory, "src", Plain);
        var other = Guid.NewGuid();
        await CopyAsync(row => row.ActorId = other);
        await AssertDecryptFailsAsync(VaultDataClass.Memory, "src", other, _vault.Capabilities.Operator);
    }

    [Fact]
    public async Task Read_RowCopiedToAnotherOperator_FailsAuthentication()
    {
        await _vault.WriteAsync(VaultDataClass.Memory, "src", Plain);
        var other = Guid.NewGuid();
        await CopyAsync(row => row.OperatorId = other);

        // Read on the other operator's authority, for the same actor and path.
        await AssertDecryptFailsAsync(VaultDataClass.Memory, "src", _vault.Actor, other);
    }

    private async Task CopyAsync(Action<VaultSecretEntity> change)
    {
        await using var db = _vault.Host.GetRequiredService<KeywardDatabase>().CreateContext();
        var row = await db.VaultSecrets.AsNoTracking().SingleAsync(s => s.Path == "src");
        var copy = new VaultSecretEntity
        {
            TenantId = row.TenantId,
            DataClass = row.DataClass,
            OperatorId = row.OperatorId,
            ActorId = row.ActorId,
            Path = row.Path,
            Version = row.Version,
            Epoch = row.Epoch,
            WrappedKey = row.WrappedKey,
            KeyNonce = row.KeyNonce,
            ValueNonce = row.ValueNonce,
            Ciphertext = row.Ciphertext,
            CreatedAt = row.CreatedAt,
        };
        change(copy);
        db.VaultSecrets.Add(copy);
        await db.SaveChangesAsync();
    }

    private async Task AssertDecryptFailsAsync(VaultDataClass dataClass, string path, Guid actor, Guid operatorId)
    {
        var token = operatorId == _vault.Capabilities.Operator
            ? _vault.Capabilities.Issue(CapabilityOperations.Read, dataClass.Name, actor, path)
            : _vault.Capabilities.IssueFor(operatorId, CapabilityOperations.Read, dataClass.Name, actor, path);
        var read = await _vault.GetAsync(dataClass, path, token, actor);
        VaultPlaneTests.AssertRefused(read, 500, "vault_decrypt_failed");
        Assert.DoesNotContain(Plain, read.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", read.Body, StringComparison.Ordinal);
        Assert.Contains(await _vault.EventsAsync(), e => e.Action == VaultAuditActions.Refused && e.Details["code"] == "vault_decrypt_failed");
    }
}
