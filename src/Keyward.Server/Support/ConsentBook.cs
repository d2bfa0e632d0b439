using System.Collections.Concurrent;
using Keyward.Core.Audit;
using Keyward.Core.Support;
using Keyward.Server.Agents;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Support;

/// <summary>
/// Asks the person at the machine once per support session, agent connection and technician (on this node): concurrent
/// viewers of one technician share the one question, and the answer is kept while the agent connection that gave it
/// lasts and the session is open (an accepted session is also marked <c>active</c> on its row by the relay). Consent is
/// the person's, given through one connection about one technician: a new connection of the machine's agent (a
/// restart, perhaps another person at the machine) is asked again, and so is a second technician joining the session.
/// <c>consent.asked</c>, then <c>consent.given</c> / <c>consent.denied</c> / <c>consent.timed_out</c> are recorded once
/// per question. A refusal or a timeout ends the session here, once: its viewers are closed with 4403 / 4408. An agent
/// that leaves before answering leaves no answer behind (the session ends as <c>agent_gone</c> through the relay).
/// </summary>
internal sealed class ConsentBook : IDisposable
{
    private readonly ConcurrentDictionary<Key, Lazy<Task<ConsentAnswer>>> _answers = new();
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

    /// <summary>
    /// The person's answer for <paramref name="session"/> about the technician <paramref name="account"/> (named
    /// <paramref name="technician"/> in the question), asked through <paramref name="link"/> unless that link has been
    /// asked about that technician already.
    /// </summary>
    public Task<ConsentAnswer> AskAsync(AgentLink link, SupportSession session, Guid account, string technician)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(session);
        var key = new Key(session.Id, link.Id, account);
        var added = false;
        var answer = _answers.GetOrAdd(key, k =>
        {
            added = true;
            return new Lazy<Task<ConsentAnswer>>(() => AskOnceAsync(link, session, technician, k));
        });
        if (added)
        {
            // The answer is the connection's: it goes with it (at once if the link has ended already).
            _ = link.Ended.ContinueWith(_ => Forget(key, answer), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return answer.Value;
    }

    public void Dispose() => _sessions.Ended -= Forget;

    private void Forget(Guid supportSessionId)
    {
        foreach (var key in _answers.Keys.Where(k => k.Session == supportSessionId))
        {
            _answers.TryRemove(key, out _);
        }
    }

    // Only this entry: a later question under the same key (after a Gone) is not removed by an earlier one's cleanup.
    private void Forget(Key key, Lazy<Task<ConsentAnswer>> answer) => _answers.TryRemove(new KeyValuePair<Key, Lazy<Task<ConsentAnswer>>>(key, answer));

    private async Task<ConsentAnswer> AskOnceAsync(AgentLink link, SupportSession session, string technician, Key key)
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
                _answers.TryRemove(key, out _);
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

    private readonly record struct Key(Guid Session, Guid Link, Guid Account);
}
