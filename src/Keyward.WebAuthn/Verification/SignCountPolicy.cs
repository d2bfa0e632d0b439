namespace Keyward.WebAuthn;

/// <summary>What to do when a signature counter does not increase (WebAuthn L3 §7.2 step 22).</summary>
public enum SignCountPolicy
{
    /// <summary>Refuse the assertion with <c>sign_count_regressed</c>. The default.</summary>
    Reject = 0,
    /// <summary>Accept it and set <see cref="AssertionResult.PossibleClone"/> so the caller can alert and audit.</summary>
    AcceptAndFlag = 1,
}
