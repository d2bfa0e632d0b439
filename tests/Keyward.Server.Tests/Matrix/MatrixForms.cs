namespace Keyward.Server.Tests.Matrix;

/// <summary>The forms every credential kind is presented in (where the kind has that form).</summary>
internal static class MatrixForms
{
    /// <summary>A real, live credential of the kind, as Keyward issued it.</summary>
    public const string Valid = "valid";

    /// <summary>The kind's prefix (or shape) followed by text that is not a credential.</summary>
    public const string Garbage = "garbage";

    /// <summary>Well formed (right prefix, length and checksum) but never issued.</summary>
    public const string Forged = "forged";

    /// <summary>Issued, then past its lifetime.</summary>
    public const string Expired = "expired";

    /// <summary>Issued, then ended: logged out, spent or used.</summary>
    public const string Revoked = "revoked";
}
