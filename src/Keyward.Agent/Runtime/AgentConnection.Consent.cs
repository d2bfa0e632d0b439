using System.Text.Json;
using System.Threading.Channels;

namespace Keyward.Agent.Runtime;

/// <summary><c>consent</c>: ask the person at the machine, answer within the timeout (no answer in time is a no).</summary>
internal sealed partial class AgentConnection
{
    /// <summary>
    /// Whether a stream for every session needs its person's yes on this connection: an ad-hoc agent is always attended,
    /// and so is an enrolled machine whose policy is <c>attended</c>. On an <c>unattended</c> machine the agent cannot
    /// tell an unattended session (no question) from an attended one, so Keyward alone enforces the answer there.
    /// </summary>
    private bool ConsentRequired => _options.AdHoc is not null || _state.Attended;

    private string? OnConsent(JsonElement message)
    {
        var request = Text(message, "request");
        var session = Text(message, "session");
        if (request is null || session is null)
        {
            return "consent without request or session";
        }

        var seconds = message.TryGetProperty("timeout_seconds", out var t) && t.TryGetInt32(out var s) && s > 0 ? s : 60;
        var question = new ConsentRequest
        {
            Request = request,
            Session = session,
            Technician = Text(message, "technician") ?? "(unknown technician)",
            Reason = Text(message, "reason") ?? string.Empty,
            Timeout = TimeSpan.FromSeconds(seconds),
        };
        var prompt = new ConsentPrompt(session, _life.Token);
        if (!_consents.TryAdd(request, prompt))
        {
            prompt.Dispose();
            return "a second consent with the same request id";
        }

        AgentLog.ConsentAsked(_logger, session, request);
        _ = AskAsync(question, prompt);
        return null;
    }

    private async Task AskAsync(ConsentRequest question, ConsentPrompt prompt)
    {
        bool accepted;
        try
        {
            Task<bool> answer;
            try
            {
                answer = _options.Consent(question, prompt.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A consent callback that fails has not said yes.
                answer = Task.FromException<bool>(e);
            }

            var timeout = Task.Delay(question.Timeout, _options.TimeProvider, prompt.Token);
            var first = await Task.WhenAny(answer, timeout).ConfigureAwait(false);
            _ = answer.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (prompt.Dismissed)
            {
                return;
            }

            accepted = first == answer && answer.IsCompletedSuccessfully && answer.Result;
            if (first != answer)
            {
                AgentLog.ConsentTimedOut(_logger, question.Request);
            }
        }
        finally
        {
            _consents.TryRemove(question.Request, out _);

            // Dismisses a prompt still on screen (timeout) and frees the token.
            prompt.Cancel();
            prompt.Dispose();
        }

        AgentLog.ConsentAnswered(_logger, question.Request, accepted);

        // Remembered before Keyward hears the yes, so the open that follows it finds the session accepted.
        if (accepted)
        {
            _accepted[question.Session] = 0;
        }

        try
        {
            await SendTextAsync(AgentMessages.ConsentResult(question.Request, accepted), _life.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException or ObjectDisposedException)
        {
            // The connection ended first; Keyward treats an unanswered request as refused.
        }
    }
}
