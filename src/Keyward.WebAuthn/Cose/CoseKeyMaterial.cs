namespace Keyward.WebAuthn.Cose;

/// <summary>The public numbers of a COSE key. Unused members are empty.</summary>
/// <param name="X">EC2 x, or the OKP public key.</param>
/// <param name="Y">EC2 y.</param>
/// <param name="Modulus">RSA n.</param>
/// <param name="Exponent">RSA e.</param>
/// <param name="Public">AKP (ML-DSA) public key.</param>
public sealed record CoseKeyMaterial(byte[] X, byte[] Y, byte[] Modulus, byte[] Exponent, byte[] Public)
{
    internal static CoseKeyMaterial Ec(byte[] x, byte[] y) => new(x, y, [], [], []);

    internal static CoseKeyMaterial Okp(byte[] x) => new(x, [], [], [], []);

    internal static CoseKeyMaterial Rsa(byte[] n, byte[] e) => new([], [], n, e, []);

    internal static CoseKeyMaterial Akp(byte[] pub) => new([], [], [], [], pub);
}
