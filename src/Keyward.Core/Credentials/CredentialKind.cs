namespace Keyward.Core.Credentials;

/// <summary>
/// The kinds of bearer credential Keyward issues (the credential catalogue in docs/architecture.md). The letter
/// is part of the wire form, <c>kw&lt;letter&gt;_…</c>, and of the stored hash, so kinds never mix.
/// </summary>
public enum CredentialKind
{
    /// <summary><c>kwi_</c>: single-use invite to register a key.</summary>
    Invite,
    /// <summary><c>kws_</c>: a sign-in session.</summary>
    Session,
    /// <summary><c>kwt_</c>: a single-use WebSocket upgrade ticket.</summary>
    WebSocketTicket,
    /// <summary><c>kwn_</c>: the process-local internal credential.</summary>
    Internal,
    /// <summary><c>kwj_</c>: a support join token.</summary>
    Join,
    /// <summary><c>kwe_</c>: an agent enroll token.</summary>
    Enroll,
    /// <summary><c>kwa_</c>: an agent key.</summary>
    Agent,
    /// <summary><c>kwh_</c>: a single-use handoff code from Keyward's origin to one app host.</summary>
    Handoff,
    /// <summary><c>kwp_</c>: an app session, the host-only cookie of one app host, tied to its parent session.</summary>
    AppSession,
    /// <summary><c>kwv_</c>: a service identity's key (an actor an admin created), accepted only at <c>/actor/v1</c>.</summary>
    Service,
}
