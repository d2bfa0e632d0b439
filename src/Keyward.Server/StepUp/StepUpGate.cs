using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Core.StepUps;
using Keyward.Server.Http;

namespace Keyward.Server.StepUp;

/// <summary>
/// Where sensitive actions ask for their step-up: <see cref="CheckAsync"/> for a window (or to look before a
/// ceremony), <see cref="ConsumeAsync"/> to spend a single-use one atomically. Without it, the refusal is
/// <c>step_up_required</c> carrying the purpose and target to begin (recorded as <c>step_up.required</c>); a refusal
/// changes nothing.
/// </summary>
internal sealed class StepUpGate(StepUpStore store)
{
    /// <summary>Where a client begins a step-up.</summary>
    public const string BeginPath = "/session/step-up/begin";

    /// <summary>Null when the session holds a valid step-up of that purpose and target; spends nothing.</summary>
    public async Task<Refusal?> CheckAsync(SessionInfo session, string purpose, string? target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await store.IsValidAsync(session.Id, purpose, target, cancellationToken).ConfigureAwait(false) ? null : Required(purpose, target);
    }

    /// <summary>Null when the session's step-up of that purpose and target was spent now, by this caller alone.</summary>
    public async Task<Refusal?> ConsumeAsync(SessionInfo session, string purpose, string? target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return await store.ConsumeAsync(session.Id, purpose, target, cancellationToken).ConfigureAwait(false) ? null : Required(purpose, target);
    }

    /// <summary>The refusal that tells the client which step-up to perform.</summary>
    public static Refusal Required(string purpose, string? target) =>
        new(KeywardErrors.StepUpRequired with { StepUp = new StepUpHint(purpose, target, BeginPath) }, AuditActions.StepUpRequired, target ?? purpose)
        {
            Details = new Dictionary<string, string> { ["purpose"] = purpose },
        };
}
