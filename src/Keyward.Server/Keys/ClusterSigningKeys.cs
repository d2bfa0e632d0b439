using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Keyward.Core.Audit;
using Keyward.Core.Keys;
using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Keys;

/// <summary>
/// On PostgreSQL, the assertion, capability and audit signing keys every node shares (docs/architecture.md, "Signing
/// keys"): read from <c>signing_keys</c> at start and every <see cref="SigningKeysOptions.RefreshInterval"/>, opened
/// with the cluster key-encryption key (<c>Keyward:Vault:Keys</c>), rotated when due by whichever node gets the
/// purpose's advisory lock first. Off on SQLite, whose keys stay in the data directory.
/// </summary>
internal sealed partial class ClusterSigningKeys(
    KeywardDatabase database, IOptions<KeywardOptions> keyward, IOptions<VaultOptions> vault, IOptions<SigningKeysOptions> options,
    SigningKeySchedule schedule, TimeProvider time, ILogger<ClusterSigningKeys> logger) : IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly ConditionalWeakTable<SharedSigningKey, AuditSigningKey> _auditKeys = [];
    private LocalKeyEncryptionKeys? _keks;
    private SharedSigningKeys? _store;
    private volatile ClusterKeyRing? _assertion;
    private volatile ClusterKeyRing? _capability;
    private volatile ClusterKeyRing? _audit;

    /// <summary>True on PostgreSQL: the keys come from the database.</summary>
    public bool Enabled => database.Provider == StorageProvider.Postgres;

    /// <summary>The identity assertion keys (after <see cref="StartAsync"/>).</summary>
    public ClusterKeyRing Assertion => _assertion ?? throw NotStarted();

    /// <summary>The capability token keys (after <see cref="StartAsync"/>).</summary>
    public ClusterKeyRing Capability => _capability ?? throw NotStarted();

    /// <summary>The audit tree-head keys (after <see cref="StartAsync"/>).</summary>
    public ClusterKeyRing Audit => _audit ?? throw NotStarted();

    /// <summary>
    /// What keeps this node from signing now: each purpose whose signing key is past its <c>retire_at</c> (empty on
    /// SQLite, and before start). For <c>/readyz</c>.
    /// </summary>
    public IReadOnlyList<string> RetiredSigners()
    {
        var now = time.GetUtcNow();
        return [.. new[] { _assertion, _capability, _audit }.Select(r => r?.Keys.Count > 0 ? r.RetiredSigner(now) : null).OfType<SharedSigningKey>()
            .Select(k => $"the shared {k.Record.Purpose} signing key is past its retire_at and this node has not read a successor")];
    }

    /// <summary>The tree-head key that signs now.</summary>
    public AuditSigningKey AuditSigner() =>
        _auditKeys.GetValue(Audit.Signer(time.GetUtcNow()), static shared => AuditSigningKey.FromECDsa(shared.Key));

    /// <summary>
    /// Opens the cluster KEK, makes the first key of each purpose when the database has none (the audit key from
    /// <c>&lt;data&gt;/audit/audit-key.pem</c> when there is one, so the heads it signed keep verifying), and reads them.
    /// </summary>
    /// <exception cref="KeywardStartupException">No cluster KEK is set, or the keys do not open under it.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        if (vault.Value.Keys.Count == 0)
        {
            throw new KeywardStartupException(
                $"Keyward:Storage:Provider is Postgres, so the assertion, capability and audit signing keys live in the database, encrypted under the cluster key-encryption key, and {VaultOptions.Section}:Keys sets none. "
                + $"Make one key for the whole cluster with (umask 077; openssl rand -base64 32 > /etc/keyward/kek-1.key), copy it to every node, and set {VaultOptions.Section}:Keys:1:File to it (or {VaultOptions.Section}:Keys:1:Environment to a variable holding it).");
        }

        try
        {
            _keks = LocalKeyEncryptionKeys.Load(vault.Value);
        }
        catch (VaultConfigurationException e)
        {
            throw new KeywardStartupException(string.Join(" ", e.Problems));
        }

        _store = new SharedSigningKeys(database, _keks, _keks.Epochs[^1], time);
        var o = options.Value;
        var file = AuditKeyFile.PrivateKeyPath(keyward.Value.DataDirectory);
        using var existing = File.Exists(file) ? ECDsa.Create() : null;
        existing?.ImportFromPem(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false));
        await _store.RotateAsync(SigningKeyPurposes.Audit, null, o.PublishAhead, o.PublishAhead, existing, cancellationToken).ConfigureAwait(false);
        try
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CryptographicException or VaultKeyUnavailableException)
        {
            throw new KeywardStartupException(
                $"The shared signing keys in the database do not open under {VaultOptions.Section}:Keys: every node needs the same key-encryption key files ({e.GetType().Name}).");
        }
    }

    /// <summary>Rotates what is due (under the advisory locks) and reads any keys that changed.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var o = options.Value;
            var now = time.GetUtcNow();
            if (Due(_assertion, schedule.AssertionRotationInterval, now))
            {
                await RotatedAsync(SigningKeyPurposes.Assertion, schedule.AssertionRotationInterval, schedule.AssertionOverlap, cancellationToken).ConfigureAwait(false);
            }

            if (Due(_capability, o.CapabilityKeyRotationInterval, now))
            {
                await RotatedAsync(SigningKeyPurposes.Capability, o.CapabilityKeyRotationInterval, schedule.CapabilityOverlap, cancellationToken).ConfigureAwait(false);
            }

            _assertion = await ReadAsync(SigningKeyPurposes.Assertion, _assertion, r => _assertion = r, cancellationToken).ConfigureAwait(false);
            _capability = await ReadAsync(SigningKeyPurposes.Capability, _capability, r => _capability = r, cancellationToken).ConfigureAwait(false);
            _audit = await ReadAsync(SigningKeyPurposes.Audit, _audit, r => _audit = r, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Starts a new tree-head key now (published at once, signing after the publish delay); the old one stays in the history.</summary>
    public async Task RotateAuditKeyAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        await (_store ?? throw NotStarted()).RotateAsync(SigningKeyPurposes.Audit, TimeSpan.Zero, o.PublishAhead, o.PublishAhead, null, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The public history of the tree-head keys, oldest first (for the export header): only keys that open under the
    /// cluster KEK, each public key derived from its private key, so a row inserted without the KEK is not listed.
    /// </summary>
    public Task<IReadOnlyList<SigningKeyRecord>> AuditHistoryAsync(CancellationToken cancellationToken) =>
        (_store ?? throw NotStarted()).ListOpenedAsync(SigningKeyPurposes.Audit, cancellationToken);

    public void Dispose()
    {
        _keks?.Dispose();
        _refresh.Dispose();
    }

    // Due when the newest key has signed for the interval; the lock and a re-read in the database decide for good.
    private static bool Due(ClusterKeyRing? ring, TimeSpan interval, DateTimeOffset now) =>
        ring is null || ring.Keys.Count == 0 || now - ring.Keys[^1].Record.NotBefore >= interval;

    private async Task RotatedAsync(string purpose, TimeSpan interval, TimeSpan overlap, CancellationToken cancellationToken)
    {
        if (await _store!.RotateAsync(purpose, interval, options.Value.PublishAhead, overlap, null, cancellationToken).ConfigureAwait(false))
        {
            KeyMade(logger, purpose);
        }
    }

    // When the keys changed but do not open here (a successor wrapped under a KEK epoch this node lacks), the current
    // ring is kept with the retire times the rows give (keep), so its old key stops signing when it retires; the error
    // goes on to the refresher's log (event 3103), and signing then fails closed (SigningKeyRetiredException).
    private async Task<ClusterKeyRing> ReadAsync(string purpose, ClusterKeyRing? current, Action<ClusterKeyRing> keep, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stored = await _store!.ListAsync(purpose, cancellationToken).ConfigureAwait(false);
        var fingerprint = ClusterKeyRing.FingerprintOf(stored.Where(r => r.IsLive(now)));
        if (current is not null && current.Fingerprint == fingerprint)
        {
            return current;
        }

        try
        {
            var keys = await _store.LoadAsync(purpose, cancellationToken).ConfigureAwait(false);
            return new ClusterKeyRing(keys, ClusterKeyRing.FingerprintOf(keys.Select(k => k.Record)));
        }
        catch (Exception e) when (current is not null && e is CryptographicException or VaultKeyUnavailableException)
        {
            keep(current.Retiring(stored));
            throw;
        }
    }

    private static InvalidOperationException NotStarted() => new("The shared signing keys are read at start, after storage is migrated; this node has not started them.");

    [LoggerMessage(KeywardEventIds.SharedSigningKeyMade, LogLevel.Information, "Made a new shared {Purpose} signing key; every node publishes it before it signs.")]
    private static partial void KeyMade(ILogger logger, string purpose);
}
