namespace Keyward.Core.Support;

/// <summary>Why a join token was refused. Each has a stable code (<see cref="JoinFailures.Code"/>).</summary>
public enum JoinFailure
{
    /// <summary>Malformed, tampered, of another kind, or unknown.</summary>
    Invalid = 1,
    /// <summary>Past its lifetime.</summary>
    Expired,
    /// <summary>Already used: a join token opens one viewer socket.</summary>
    Consumed,
    /// <summary>Revoked: the login session that minted it ended, or its support session did.</summary>
    Revoked,
}
