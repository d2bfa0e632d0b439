using System.Collections.Concurrent;
using Keyward.Core.Audit;
using Keyward.Core.Support;
using Keyward.Server.Agents;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Support;

/// <summary>
/// Asks the person at the machine ONCE per support session (on this node): concurrent viewers share the one question,
/// and the answer is kept until the session ends (an accepted session is also marked <c>active</c> on its row by the
/// relay). <c>consent.asked</c>, then <c>consent.given</c> / <c>consent.denied</c> / <c>consent.timed_out</c> are recorded
/// once. A refusal or a timeout ends the session here, once: its viewers are closed with 4403 / 4408. An agent that
/// leaves before answering leaves no answer behind (the session ends as <c>agent_gone</c> through the relay).
/// </summary>
internal sealed class ConsentBook : IDisposable
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<ConsentAnswer>>> _answers = new();
    private readonly SupportSessionService _sessions;
    private readonly SupportSessionCloser _closer;
    private readonly IAuditLog _audit;
    private readonly IOptions<SupportOptions> _options;
    private readonly ILogger<ConsentBook> _logger;

    public ConsentBook(SupportSessionService sessions, SupportSessionCloser closer, IAuditLog audit, IOptions<SupportOptions> options, ILogger<ConsentBook> logger)
    {
        (_sessions, _closer, _audit, _options, _logger) = (sessions, closer, audit, options, logger);
        sessions.Ended += Forget;
    }

    /// <summary>The person's answer for <paramref name="session"/>: asked through <paramref name="link"/> if no one has asked yet.</summary>
    public Task<ConsentAnswer> AskAsync(AgentLink link, SupportSession session, string technician)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(session);
        return _answers.GetOrAdd(session.Id, _ => new Lazy<Task<ConsentAnswer>>(() => AskOnceAsync(link, session, technician))).Value;
    }

    public void Dispose() => _sessions.Ended -= Forget;

    private void Forget(Guid supportSessionId) => _answers.TryRemove(supportSessionId, out _);

    private async Task<ConsentAnswer> AskOnceAsync(AgentLink link, SupportSession session, string technician)
    {
        // The question is not the viewer's: one viewer leaving does not withdraw it (the timeout, the agent leaving or
        // the session ending does).
        await Task.Yield();
        await RecordAsync(SupportAuditActions.ConsentAsked, session, technician).ConfigureAwait(false);
        var answer = await link.AskConsentAsync(new ConsentRequest(session.Id, technician, session.Reason, _options.Value.ConsentTimeout), CancellationToken.None).ConfigureAwait(false);
        switch (answer)
        {
            case ConsentAnswer.Accepted:
                await RecordAsync(SupportAuditActions.ConsentGiven, session, technician).ConfigureAwait(false);
                break;
            case ConsentAnswer.Denied:
                await RecordAsync(SupportAuditActions.ConsentDenied, session, technician).ConfigureAwait(false);
                await _closer.EndAsync(session, SupportEndReasons.ConsentDenied, ViewerRegistry.ConsentDenied, SupportEndReasons.ConsentDenied).ConfigureAwait(false);
                break;
            case ConsentAnswer.TimedOut:
                await RecordAsync(SupportAuditActions.ConsentTimedOut, session, technician).ConfigureAwait(false);
                await _closer.EndAsync(session, SupportEndReasons.ConsentTimeout, ViewerRegistry.ConsentTimedOut, SupportEndReasons.ConsentTimeout).ConfigureAwait(false);
                break;
            default:
                Forget(session.Id);
                break;
        }

        return answer;
    }

    private async Task RecordAsync(string action, SupportSession session, string technician)
    {
        try
        {
            await _audit.RecordAsync(
                AuditTrail.For(new Caller("keyward", null), action, action == SupportAuditActions.ConsentGiven || action == SupportAuditActions.ConsentAsked ? AuditOutcomes.Success : AuditOutcomes.Denied, session.Id.ToString(),
                    details: new Dictionary<string, string> { ["technician"] = technician, ["machine_id"] = session.MachineId?.ToString() ?? "ad-hoc" }),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SupportLog.AuditFailed(_logger, action, e);
        }
    }
}
