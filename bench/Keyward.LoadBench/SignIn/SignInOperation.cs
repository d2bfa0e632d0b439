namespace Keyward.LoadBench.SignIn;

/// <summary>What one client operation of the sign-in bench is.</summary>
internal enum SignInOperation
{
    /// <summary>A complete sign-in: <c>login/begin</c>, the virtual key signs, <c>login/finish</c>.</summary>
    SignIn,

    /// <summary>Minting a WebSocket ticket (<c>POST /api/auth/ws-ticket</c> with the session and the page's Origin).</summary>
    Mint,

    /// <summary>Minting a ticket, then redeeming it: a WebSocket opened through Keyward to the upstream, and closed.</summary>
    MintAndRedeem,
}
