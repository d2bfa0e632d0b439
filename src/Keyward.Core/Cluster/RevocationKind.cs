namespace Keyward.Core.Cluster;

/// <summary>What a <see cref="RevocationNotice"/> ended. Its letter is the payload's kind field.</summary>
public enum RevocationKind
{
    /// <summary>Sign-in sessions (<c>kws_</c>): logout, revocation, key removal, account disable, recovery.</summary>
    Session,

    /// <summary>A machine's agent key (<c>kwa_</c>): revoked, or the machine deleted.</summary>
    Machine,

    /// <summary>A support session: ended (by anyone, or reaped), which also revokes its join tokens and support code.</summary>
    SupportSession,
}
