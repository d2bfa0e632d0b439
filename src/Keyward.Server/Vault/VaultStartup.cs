namespace Keyward.Server.Vault;

/// <summary>Opens the vault when Keyward starts, after storage is migrated; a problem stops the start (docs/vault.md, "Start-up").</summary>
internal sealed class VaultStartup(VaultPlane vault) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => vault.OpenAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
