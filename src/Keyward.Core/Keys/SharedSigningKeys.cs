using System.Security.Cryptography;
using System.Text;
using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Keys;

/// <summary>
/// The signing keys every broker node on one PostgreSQL database shares (<c>signing_keys</c>; docs/architecture.md,
/// "Signing keys"). A private key is stored only wrapped under the cluster key-encryption key (the vault's KEK seam,
/// <see cref="IKeyEncryptionKeyProvider"/>), AES-GCM with associated data binding purpose and key id, so a row copied
/// to another purpose or id does not open. Rotation runs under an advisory lock per purpose (one node rotates; the
/// others find the new row when they next load). A new key is published <c>publishAhead</c> before it signs; the keys
/// it replaces stay valid for <c>overlap</c> after it starts signing.
/// </summary>
public sealed class SharedSigningKeys(KeywardDatabase database, IKeyEncryptionKeyProvider keys, int kekEpoch, TimeProvider time)
{
    private static readonly byte[] AadLabel = Encoding.UTF8.GetBytes("keyward.signing-key.v1");

    /// <summary>
    /// The stored facts of every key of <paramref name="purpose"/> ever made (retired ones too), oldest first, as the
    /// rows say: unauthenticated (use <see cref="LoadAsync"/> or <see cref="ListOpenedAsync"/> for keys to publish or trust).
    /// </summary>
    public Task<IReadOnlyList<SigningKeyRecord>> ListAsync(string purpose, CancellationToken cancellationToken = default) => ListAsync(database, purpose, cancellationToken);

    /// <summary>The public facts of every key of <paramref name="purpose"/> in <paramref name="database"/>, oldest first; needs no key-encryption key.</summary>
    public static async Task<IReadOnlyList<SigningKeyRecord>> ListAsync(KeywardDatabase database, string purpose, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var db = database.CreateContext();
        var rows = await db.SigningKeys.AsNoTracking().Where(k => k.Purpose == purpose).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(ToRecord).OrderBy(k => k.NotBefore).ThenBy(k => k.CreatedAt)];
    }

    /// <summary>
    /// The keys of <paramref name="purpose"/> not yet retired, opened, in signing order (the last whose
    /// <see cref="SigningKeyRecord.NotBefore"/> has come signs).
    /// </summary>
    /// <exception cref="CryptographicException">A key does not open under the configured KEK (the wrong KEK, or a changed row).</exception>
    /// <exception cref="VaultKeyUnavailableException">A key is wrapped under an epoch whose KEK is not configured.</exception>
    public async Task<IReadOnlyList<SharedSigningKey>> LoadAsync(string purpose, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = database.CreateContext();
        var rows = await db.SigningKeys.AsNoTracking()
            .Where(k => k.Purpose == purpose && (k.RetireAt == null || k.RetireAt > now))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var opened = new List<SharedSigningKey>(rows.Count);
        foreach (var row in rows.OrderBy(r => r.NotBefore).ThenBy(r => r.CreatedAt))
        {
            var key = await OpenAsync(row, cancellationToken).ConfigureAwait(false);
            opened.Add(new SharedSigningKey(ToRecord(row, key), key));
        }

        return opened;
    }

    /// <summary>
    /// The public facts of every key of <paramref name="purpose"/> (retired ones too) that opens under the KEK, oldest
    /// first, each public key derived from its opened private key: a row a database writer inserted or altered
    /// without the KEK is not listed (the audit export's key history). Validity (<c>not_before</c>, <c>retire_at</c>)
    /// is read from the row and is not covered by the wrap.
    /// </summary>
    public async Task<IReadOnlyList<SigningKeyRecord>> ListOpenedAsync(string purpose, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var rows = await db.SigningKeys.AsNoTracking().Where(k => k.Purpose == purpose).ToListAsync(cancellationToken).ConfigureAwait(false);
        var opened = new List<SigningKeyRecord>(rows.Count);
        foreach (var row in rows.OrderBy(r => r.NotBefore).ThenBy(r => r.CreatedAt))
        {
            try
            {
                using var key = await OpenAsync(row, cancellationToken).ConfigureAwait(false);
                opened.Add(ToRecord(row, key));
            }
            catch (Exception e) when (e is CryptographicException or VaultKeyUnavailableException)
            {
                // Not provably ours: left out of the history.
            }
        }

        return opened;
    }

    /// <summary>
    /// Makes a new key of <paramref name="purpose"/> when there is none, or when the newest began signing at least
    /// <paramref name="interval"/> ago (never, when null); true when this call made it. Runs under the purpose's
    /// advisory lock, and decides from what it reads under it, so nodes racing here make one key between them.
    /// </summary>
    /// <param name="purpose">One of <see cref="SigningKeyPurposes"/>.</param>
    /// <param name="interval">How long a key signs before its successor is made; null for never (only the first key).</param>
    /// <param name="publishAhead">How long a successor is published before it signs (longer than the nodes' refresh interval).</param>
    /// <param name="overlap">How long the keys it replaces stay valid after it signs (at least the longest lifetime of what they signed).</param>
    /// <param name="first">The key to store when the purpose has none yet (an existing key file being moved in), valid from the start of time; null makes one.</param>
    /// <param name="cancellationToken">Cancels the rotation.</param>
    public async Task<bool> RotateAsync(
        string purpose, TimeSpan? interval, TimeSpan publishAhead, TimeSpan overlap, ECDsa? first = null, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = db.Database.GetDbConnection();
        await using var transaction = await database.Dialect.BeginSerializedWriteAsync(connection, SigningKeyPurposes.LockKey(purpose), cancellationToken).ConfigureAwait(false);
        await db.Database.UseTransactionAsync(transaction, cancellationToken).ConfigureAwait(false);

        var now = time.GetUtcNow();
        var active = await db.SigningKeys.Where(k => k.Purpose == purpose && k.RetireAt == null).ToListAsync(cancellationToken).ConfigureAwait(false);
        var newest = active.OrderBy(k => k.NotBefore).ThenBy(k => k.CreatedAt).LastOrDefault();
        var due = newest is null
            || (interval is { } every && now.ToUnixTimeMilliseconds() - newest.NotBefore >= (long)every.TotalMilliseconds);
        if (!due)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        var imported = newest is null && first is not null;
        using var made = imported ? null : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = imported ? first! : made!;
        var notBefore = imported ? DateTimeOffset.UnixEpoch : newest is null ? now : now + publishAhead;
        foreach (var replaced in active)
        {
            replaced.RetireAt = (notBefore + overlap).ToUnixTimeMilliseconds();
        }

        db.SigningKeys.Add(await SealAsync(purpose, key, now, notBefore, cancellationToken).ConfigureAwait(false));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<SigningKeyEntity> SealAsync(string purpose, ECDsa key, DateTimeOffset now, DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        var keyId = SigningKeyPurposes.KeyIdOf(purpose, key.ExportSubjectPublicKeyInfo());
        var secret = key.ExportPkcs8PrivateKey();
        try
        {
            var wrapped = await keys.WrapAsync(kekEpoch, secret, AssociatedData(purpose, keyId), cancellationToken).ConfigureAwait(false);
            return new SigningKeyEntity
            {
                Purpose = purpose,
                KeyId = keyId,
                PublicJwk = SigningKeyRecord.JwkOf(key, keyId),
                KekEpoch = kekEpoch,
                Nonce = wrapped.Nonce,
                EncryptedPrivateKey = wrapped.Ciphertext,
                PrivateKeyLength = secret.Length,
                CreatedAt = now.ToUnixTimeMilliseconds(),
                NotBefore = notBefore.ToUnixTimeMilliseconds(),
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private async Task<ECDsa> OpenAsync(SigningKeyEntity row, CancellationToken cancellationToken)
    {
        var secret = GC.AllocateArray<byte>(row.PrivateKeyLength, pinned: true);
        try
        {
            if (!await keys.UnwrapAsync(row.KekEpoch, new WrappedDataKey(row.Nonce, row.EncryptedPrivateKey), AssociatedData(row.Purpose, row.KeyId), secret, cancellationToken).ConfigureAwait(false))
            {
                throw new CryptographicException(
                    $"The {row.Purpose} signing key {row.KeyId} does not open under the key-encryption key of epoch {row.KekEpoch}: every node needs the same {VaultOptions.Section}:Keys:{row.KekEpoch}.");
            }

            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(secret, out _);
            if (SigningKeyPurposes.KeyIdOf(row.Purpose, key.ExportSubjectPublicKeyInfo()) != row.KeyId)
            {
                key.Dispose();
                throw new CryptographicException($"The {row.Purpose} signing key {row.KeyId} does not match its id.");
            }

            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    // "keyward.signing-key.v1" 0x00 purpose 0x00 key id: a wrapped key opens only as the purpose and id it was made for.
    private static byte[] AssociatedData(string purpose, string keyId) =>
        [.. AadLabel, 0, .. Encoding.UTF8.GetBytes(purpose), 0, .. Encoding.UTF8.GetBytes(keyId)];

    // The published key is derived from the opened private key, never read from the row's PublicJwk text: the wrap
    // does not cover that column, so a database writer without the KEK could otherwise publish a key of their own.
    private static SigningKeyRecord ToRecord(SigningKeyEntity row, ECDsa key) => ToRecord(row, SigningKeyRecord.JwkOf(key, row.KeyId));

    private static SigningKeyRecord ToRecord(SigningKeyEntity row) => ToRecord(row, row.PublicJwk);

    private static SigningKeyRecord ToRecord(SigningKeyEntity row, string publicJwk) => new(
        row.Purpose, row.KeyId, publicJwk, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(row.NotBefore),
        row.RetireAt is { } retire ? DateTimeOffset.FromUnixTimeMilliseconds(retire) : null);
}
