namespace Keyward.WebAuthn;

/// <summary>A credential named in excludeCredentials or allowCredentials (PublicKeyCredentialDescriptor).</summary>
/// <param name="Id">The credential id.</param>
/// <param name="Transports">Transport hints from registration ("usb", "nfc", "ble", "internal", "hybrid").</param>
public sealed record CredentialDescriptor(byte[] Id, IReadOnlyList<string> Transports);
