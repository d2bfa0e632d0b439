namespace Keyward.Server.Agents;

/// <summary>How a consent request ended.</summary>
internal enum ConsentAnswer
{
    /// <summary>The person accepted.</summary>
    Accepted = 1,

    /// <summary>The person refused, or ended the session while asked.</summary>
    Denied,

    /// <summary>No answer within the timeout.</summary>
    TimedOut,

    /// <summary>The agent disconnected (or the session was ended by Keyward) before answering.</summary>
    Gone,
}
