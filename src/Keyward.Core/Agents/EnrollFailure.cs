namespace Keyward.Core.Agents;

/// <summary>Why an enroll token was refused. Each has a stable code (<see cref="EnrollFailures.Code"/>).</summary>
public enum EnrollFailure
{
    /// <summary>Malformed, of another kind, or unknown.</summary>
    Invalid = 1,
    /// <summary>Past its lifetime.</summary>
    Expired,
    /// <summary>Already used: a token enrolls one machine.</summary>
    Consumed,
    /// <summary>Revoked by an admin before it was used.</summary>
    Revoked,
}
