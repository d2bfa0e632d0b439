using System.Security.Cryptography;
using System.Text;
using Keyward.Cli.Vault;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Keyward.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Cli.Tests.Vault;

/// <summary>
/// <c>keyward vault rekey</c> and <c>keyward vault epochs [retire N]</c> on a data directory: progress after each
/// batch, every data key moved to the current epoch, audited, then the old epoch retired; refusals say why.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes the folder.")]
public sealed class VaultServerCommandsTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("keyward-cli-vault-");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly Dictionary<int, string> _variables = [];
    private KeywardDatabase _database = null!;

    public async Task InitializeAsync()
    {
        foreach (var epoch in new[] { 1, 2 })
        {
            var variable = $"KEYWARD_TEST_CLI_KEK_{epoch}_{Guid.NewGuid():N}";
            Environment.SetEnvironmentVariable(variable, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            _variables[epoch] = variable;
        }

        _database = new KeywardDatabase(new StorageOptions(), _data.Path);
        await _database.MigrateAsync(_time);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _data.Dispose();
        foreach (var variable in _variables.Values)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        return Task.CompletedTask;
    }

    private VaultOptions Options(int batch = 2, params int[] epochs) => new()
    {
        RekeyBatchSize = batch,
        Keys = (epochs.Length == 0 ? _variables.Keys.ToArray() : epochs).ToDictionary(e => e, e => new KeyEncryptionKeySource { Environment = _variables[e] }),
    };

    private VaultPlace Place(VaultOptions? options = null) => new(_data.Path, new StorageOptions(), options ?? Options());

    // Five secrets under epoch 1, then the epoch advanced to 2 (as an approved advance would).
    private async Task SeedAsync()
    {
        using var keys = LocalKeyEncryptionKeys.Load(Options());
        var epochs = new VaultEpochs(_database, keys, _time);
        Assert.True((await epochs.InitializeAsync()).Succeeded);
        var secrets = new VaultService(_database, keys, new VaultOptions(), _time);
        for (var i = 0; i < 5; i++)
        {
            var address = new VaultAddress("default", VaultDataClass.Memory, Guid.NewGuid(), Guid.NewGuid(), $"s/{i}");
            Assert.True((await secrets.PutAsync(address, Encoding.UTF8.GetBytes($"value-{i}"))).Succeeded);
        }

        Assert.True((await epochs.AdvanceAsync(2)).Succeeded);
    }

    [Fact]
    public async Task Rekey_OlderDataKeys_MovesEveryOneWithProgressAndAudits()
    {
        await SeedAsync();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await VaultServerCommands.RekeyAsync(Place(), output, error, _time, default);

        Assert.True(exit == 0, error.ToString());
        var text = output.ToString();
        Assert.Contains("Re-wrapping 5 data keys of epochs 1 under epoch 2.", text, StringComparison.Ordinal);
        Assert.Equal(3, text.Split('\n').Count(l => l.Contains("/5 data keys", StringComparison.Ordinal)));
        Assert.Contains("Done: 5 re-wrapped, 0 already moved by another run, 0 did not authenticate.", text, StringComparison.Ordinal);

        using var keys = LocalKeyEncryptionKeys.Load(Options());
        var epochs = await new VaultEpochs(_database, keys, _time).ListAsync();
        Assert.Equal([(1, 0L), (2, 5L)], epochs.Select(e => (e.Number, e.DataKeys)));

        var events = (await new AuditReader(_database).ListAsync(new AuditQuery { Action = VaultAuditActions.Rekeyed })).Events;
        Assert.Equal(["started", "finished"], events.Select(e => e.Details["state"]));
        Assert.Equal("5", events[1].Details["rewrapped"]);

        // Run again: nothing left.
        using var again = new StringWriter();
        Assert.Equal(0, await VaultServerCommands.RekeyAsync(Place(), again, TextWriter.Null, _time, default));
        Assert.Contains("Nothing to rekey", again.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retire_AfterRekey_RetiresTheOldEpochAndAudits()
    {
        await SeedAsync();
        using var refused = new StringWriter();
        Assert.Equal(2, await VaultServerCommands.RetireAsync(Place(), 1, TextWriter.Null, refused, _time, default));
        Assert.Contains("vault_epoch_in_use", refused.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await VaultServerCommands.RekeyAsync(Place(), TextWriter.Null, TextWriter.Null, _time, default));
        using var output = new StringWriter();
        Assert.Equal(0, await VaultServerCommands.RetireAsync(Place(), 1, output, TextWriter.Null, _time, default));
        Assert.Contains("Epoch 1 is retired", output.ToString(), StringComparison.Ordinal);

        using var current = new StringWriter();
        Assert.Equal(2, await VaultServerCommands.RetireAsync(Place(), 2, TextWriter.Null, current, _time, default));
        Assert.Contains("vault_epoch_current", current.ToString(), StringComparison.Ordinal);

        // Epoch 1's key may now go: the rest still opens.
        using var list = new StringWriter();
        Assert.Equal(0, await VaultServerCommands.ListEpochsAsync(Place(Options(2, 2)), list, TextWriter.Null, _time, default));
        Assert.Contains("retired", list.ToString(), StringComparison.Ordinal);

        var events = (await new AuditReader(_database).ListAsync(new AuditQuery())).Events;
        Assert.Single(events, e => e.Action == VaultAuditActions.EpochRetired && e.Target == "epoch/1");
        Assert.Equal(2, events.Count(e => e.Action == VaultAuditActions.Refused && e.Details["operation"] == "retire"));
    }

    [Fact]
    public async Task Rekey_KeyOfARecordedEpochMissing_ExitsTwoNamingTheSetting()
    {
        await SeedAsync();
        using var error = new StringWriter();
        Assert.Equal(2, await VaultServerCommands.RekeyAsync(Place(Options(2, 2)), TextWriter.Null, error, _time, default));
        Assert.StartsWith("Keyward:Vault:Keys:1 is not set", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rekey_NoVaultKeys_ExitsTwoSayingTheVaultIsOff()
    {
        using var error = new StringWriter();
        Assert.Equal(2, await VaultServerCommands.RekeyAsync(Place(new VaultOptions()), TextWriter.Null, error, _time, default));
        Assert.Contains("The vault is off here", error.ToString(), StringComparison.Ordinal);
    }
}
