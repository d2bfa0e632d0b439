namespace Keyward.WebAuthn.Cose;

/// <summary>COSE_Key map labels (RFC 9052 §7.1, RFC 9053 §7).</summary>
internal static class CoseLabels
{
    public const long KeyType = 1;
    public const long Algorithm = 3;
    public const long Curve = -1;
    public const long X = -2;
    public const long Y = -3;
    public const long RsaModulus = -1;
    public const long RsaExponent = -2;
    public const long AkpPublic = -1;
}
