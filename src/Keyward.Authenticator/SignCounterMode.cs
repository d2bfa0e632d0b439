namespace Keyward.Authenticator;

/// <summary>How the virtual key keeps signature counters (WebAuthn L3 §6.1.1).</summary>
public enum SignCounterMode
{
    /// <summary>A counter per credential, incremented by one on every assertion (registration reports 0).</summary>
    Increment = 0,

    /// <summary>Always 0, as synced passkey providers report (a relying party then skips the clone check).</summary>
    Zero = 1,
}
