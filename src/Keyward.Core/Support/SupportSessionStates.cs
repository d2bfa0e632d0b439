namespace Keyward.Core.Support;

/// <summary>The states of a support session.</summary>
public static class SupportSessionStates
{
    /// <summary>Opened; no agent and viewer are relayed yet (it is reaped after the pending lifetime).</summary>
    public const string Pending = "pending";

    /// <summary>An agent and a viewer are linked (set by the relay).</summary>
    public const string Active = "active";

    /// <summary>Ended: by its technician, an admin, either side leaving, or the reaper.</summary>
    public const string Ended = "ended";
}
