namespace Keyward.Agent.Runtime;

/// <summary>How one connection attempt ended.</summary>
internal enum ConnectionOutcomeKind
{
    /// <summary>The socket never opened (network, upgrade refused other than 401, wrong subprotocol).</summary>
    Failed,

    /// <summary>The server's certificate did not chain to the pinned CA or did not carry its name.</summary>
    TlsRefused,

    /// <summary>The socket opened and later closed or broke.</summary>
    Closed,

    /// <summary>401 on the upgrade or close 4401: the key will not work again.</summary>
    Revoked,

    /// <summary>Close 4409: another connection with this key replaced this one (the key may be in someone else's hands).</summary>
    Replaced,

    /// <summary>The caller stopped the agent.</summary>
    Cancelled,
}

/// <summary>How one connection attempt ended, and whether a socket was open for a while.</summary>
internal sealed record ConnectionOutcome(ConnectionOutcomeKind Kind, bool WasConnected, string Reason);
