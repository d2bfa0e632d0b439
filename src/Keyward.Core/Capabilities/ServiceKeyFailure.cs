namespace Keyward.Core.Capabilities;

/// <summary>Why a service key (<c>kwv_</c>) was refused.</summary>
public enum ServiceKeyFailure
{
    /// <summary>Malformed, of another kind, or unknown.</summary>
    Invalid = 1,

    /// <summary>An admin revoked it.</summary>
    Revoked,
}
