using Keyward.WebAuthn;

namespace Keyward.Authenticator;

/// <summary>
/// A software FIDO2 authenticator (a virtual security key) together with the browser side of WebAuthn: it takes
/// the options JSON a relying party sends, makes credentials and assertions as a CTAP2 key does, and returns
/// exactly what a browser would hand back, the WebAuthn L3 JSON form of PublicKeyCredential (<c>toJSON()</c>).
/// </summary>
/// <remarks>
/// <para>Supported algorithms: ES256 (-7), EdDSA (-8, on Ed25519) and Ed25519 (-19). Credential ids are 32 random
/// bytes. Registration reports signCount 0; see <see cref="SignCounterMode"/> for assertions.</para>
/// <para>Keys live in memory; <see cref="Save"/> and <see cref="Load"/> keep them in a file encrypted under a
/// passphrase. All members are thread-safe. Nothing here (including <see cref="ToString"/>) reveals key material.</para>
/// <para>Expected failures (an excluded credential, no credential, an unsupported algorithm) come back as values
/// from the <c>Try…</c> methods, or as <see cref="AuthenticatorException"/> from the others.</para>
/// </remarks>
public sealed partial class VirtualAuthenticator
{
    private readonly Lock _gate = new();
    private readonly List<VirtualCredential> _credentials = [];
    private VirtualAuthenticatorOptions _options;

    private VirtualAuthenticator(VirtualAuthenticatorOptions options)
    {
        _options = Checked(options);
    }

    /// <summary>
    /// The behaviour of the key. Changing it affects later operations only; BE stays what it was when each
    /// credential was made. Setting invalid options throws <see cref="ArgumentException"/>.
    /// </summary>
    public VirtualAuthenticatorOptions Options
    {
        get
        {
            lock (_gate)
            {
                return _options with { Aaguid = (byte[])_options.Aaguid.Clone() };
            }
        }

        set
        {
            var options = Checked(value);
            lock (_gate)
            {
                _options = options;
            }
        }
    }

    /// <summary>
    /// Chooses among discoverable credentials when the relying party sends no allowCredentials, as a user does in
    /// the browser's account picker. It receives the candidates, most recently created first (CTAP 2.1 §6.2.2),
    /// and returns one of them, or null to cancel (NotAllowed). It runs outside the key's lock. When null (the
    /// default), the first candidate is used.
    /// </summary>
    public Func<IReadOnlyList<VirtualCredentialInfo>, VirtualCredentialInfo?>? CredentialSelector { get; set; }

    /// <summary>A snapshot of the credentials the key holds, oldest first. Never includes private keys.</summary>
    public IReadOnlyList<VirtualCredentialInfo> Credentials
    {
        get
        {
            lock (_gate)
            {
                return _credentials.Select(c => c.ToInfo()).ToArray();
            }
        }
    }

    /// <summary>Creates an empty virtual key.</summary>
    /// <param name="options">The behaviour; null for the defaults.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static VirtualAuthenticator Create(VirtualAuthenticatorOptions? options = null) => new(options ?? new VirtualAuthenticatorOptions());

    /// <summary>Deletes a credential and overwrites its private key.</summary>
    /// <param name="credentialId">The credential id.</param>
    /// <returns>True when the key held the credential.</returns>
    public bool Remove(byte[] credentialId)
    {
        ArgumentNullException.ThrowIfNull(credentialId);
        lock (_gate)
        {
            var index = _credentials.FindIndex(c => c.Id.AsSpan().SequenceEqual(credentialId));
            if (index < 0)
            {
                return false;
            }

            _credentials[index].Key.Destroy();
            _credentials.RemoveAt(index);
            return true;
        }
    }

    /// <inheritdoc />
    public override string ToString()
    {
        lock (_gate)
        {
            return $"VirtualAuthenticator ({_credentials.Count} credential{(_credentials.Count == 1 ? string.Empty : "s")})";
        }
    }

    private static VirtualAuthenticatorOptions Checked(VirtualAuthenticatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid virtual authenticator options: " + string.Join(" ", errors), nameof(options));
        }

        // Copy the AAGUID so that a caller changing its array later cannot change this key.
        return options with { Aaguid = (byte[])options.Aaguid.Clone() };
    }

    /// <summary>
    /// Whether UV is reported (WebAuthn L3 §6.2.3, CTAP 2.1 §6.1.2 step 11): required means the key must verify
    /// the user or refuse; preferred verifies when it can and otherwise settles for presence; discouraged never asks.
    /// </summary>
    private static AuthenticatorResult<bool> DecideUserVerification(UserVerificationRequirement requirement, VirtualAuthenticatorOptions options)
    {
        if (requirement == UserVerificationRequirement.Required)
        {
            if (!options.UserVerificationCapable)
            {
                return AuthenticatorResult<bool>.Fail(AuthenticatorError.NotAllowed, "user verification is required but the key cannot verify users");
            }

            return options.UserVerified
                ? AuthenticatorResult<bool>.Ok(true)
                : AuthenticatorResult<bool>.Fail(AuthenticatorError.NotAllowed, "user verification failed");
        }

        return AuthenticatorResult<bool>.Ok(requirement == UserVerificationRequirement.Preferred && options.UserVerificationCapable && options.UserVerified);
    }

    /// <summary>UP is always set: the virtual user always touches the key. BS only ever accompanies BE.</summary>
    private static AuthenticatorFlags Flags(bool userVerified, bool backupEligible, VirtualAuthenticatorOptions options)
    {
        var flags = AuthenticatorFlags.UserPresent;
        if (userVerified)
        {
            flags |= AuthenticatorFlags.UserVerified;
        }

        if (backupEligible)
        {
            flags |= AuthenticatorFlags.BackupEligible;
            if (options.BackedUp)
            {
                flags |= AuthenticatorFlags.BackupState;
            }
        }

        return flags;
    }

    private VirtualCredential? Find(string rpId, ReadOnlySpan<byte> credentialId)
    {
        foreach (var credential in _credentials)
        {
            if (credential.RpId == rpId && credential.Id.AsSpan().SequenceEqual(credentialId))
            {
                return credential;
            }
        }

        return null;
    }
}
