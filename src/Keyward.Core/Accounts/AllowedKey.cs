namespace Keyward.Core.Accounts;

/// <summary>
/// What a sign-in's options say of a registered key: its credential id and transports (comma-separated, as stored).
/// The same shape for an account's keys and for the key whose form an unknown name's stand-in ids copy.
/// </summary>
/// <param name="CredentialId">The WebAuthn credential id.</param>
/// <param name="Transports">The transports the browser reported at registration, comma-separated.</param>
public readonly record struct AllowedKey(byte[] CredentialId, string Transports);
