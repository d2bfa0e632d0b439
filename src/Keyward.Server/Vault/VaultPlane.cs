using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Vault;

/// <summary>
/// The vault as this node runs it: its key-encryption keys, secrets, epochs and rekey, once <see cref="OpenAsync"/>
/// has checked the configuration against the recorded epochs at start (<see cref="VaultStartup"/>). Off when no key is
/// configured and no epoch is recorded (a fresh install): the vault plane then answers 503 <c>vault_not_configured</c>.
/// </summary>
internal sealed class VaultPlane(KeywardDatabase database, IOptions<VaultOptions> options, TimeProvider time) : IDisposable
{
    private volatile Opened? _opened;

    /// <summary>True once the vault is open with keys.</summary>
    public bool Enabled => _opened is not null;

    /// <summary>The secrets; null while the vault is off.</summary>
    public VaultService? Secrets => _opened?.Secrets;

    /// <summary>
    /// The epochs; null while the vault is off. An approved <c>advance_key_epoch</c> applies through
    /// <see cref="VaultEpochs.AdvanceAsync(KeywardDbContext, int, CancellationToken)"/> in the approval's transaction;
    /// the new epoch's key must be configured (and Keyward restarted) before it is proposed.
    /// </summary>
    public VaultEpochs? Epochs => _opened?.Epochs;

    /// <summary>The key-encryption keys; null while the vault is off.</summary>
    public IKeyEncryptionKeyProvider? Keys => _opened?.Keys;

    /// <summary>The vault's options.</summary>
    public VaultOptions Options => options.Value;

    /// <summary>
    /// Loads the keys, creates epoch 1 on first use and checks every recorded epoch against them. Throws
    /// <see cref="OptionsValidationException"/> (every problem, each naming the setting and the fix, as any other invalid
    /// setting is reported at start) when Keyward must not start: an unusable key source, or epochs recorded that the
    /// configured keys do not open.
    /// </summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        var keys = await LoadCheckedAsync(database, options.Value, time, cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            return;
        }

        _opened = new Opened(keys, new VaultService(database, keys, options.Value, time), new VaultEpochs(database, keys, time));
    }

    /// <summary>
    /// The configured keys, checked against the recorded epochs (epoch 1 created when there is none and keys are set);
    /// null when no key is configured and no epoch needs one. For start-up and for server-side commands.
    /// </summary>
    /// <exception cref="OptionsValidationException">Every problem found.</exception>
    public static async Task<LocalKeyEncryptionKeys?> LoadCheckedAsync(KeywardDatabase database, VaultOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        LocalKeyEncryptionKeys keys;
        try
        {
            keys = LocalKeyEncryptionKeys.Load(options);
        }
        catch (VaultConfigurationException e)
        {
            throw Startup(e.Problems);
        }

        try
        {
            var epochs = new VaultEpochs(database, keys, time);
            if (options.Keys.Count > 0)
            {
                var initialized = await epochs.InitializeAsync(cancellationToken).ConfigureAwait(false);
                if (!initialized.Succeeded)
                {
                    throw Startup([$"{VaultOptions.Section}:Keys:1 is not set, and the vault has no epoch yet: its first epoch needs a key. Make one with (umask 077; openssl rand -base64 32 > /etc/keyward/kek-1.key) and set {VaultOptions.Section}:Keys:1:File to it, or remove {VaultOptions.Section}:Keys to keep the vault off."]);
                }
            }

            var problems = await epochs.CheckKeysAsync(cancellationToken).ConfigureAwait(false);
            if (problems.Count > 0)
            {
                throw Startup(problems);
            }

            if (options.Keys.Count == 0)
            {
                keys.Dispose();
                return null;
            }

            return keys;
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    public void Dispose() => _opened?.Keys.Dispose();

    private static OptionsValidationException Startup(IEnumerable<string> problems) => new(VaultOptions.Section, typeof(VaultOptions), problems);

    private sealed record Opened(LocalKeyEncryptionKeys Keys, VaultService Secrets, VaultEpochs Epochs);
}
