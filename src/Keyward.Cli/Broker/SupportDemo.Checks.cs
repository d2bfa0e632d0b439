using System.Globalization;
using System.Net;
using Keyward.Cli.Support;

namespace Keyward.Cli.Broker;

/// <summary>
/// The ad-hoc agent (bound with a support code, its person denies), the credential-confusion checks of issue 11 as live
/// requests, and sign-out closing an open viewer and revoking the join tokens it minted.
/// </summary>
internal sealed partial class SupportDemo
{
    private const string GarbageCredential = "garbage-credential";
    private const string AgentProtocol = "keyward-agent.v1";

    private async Task ChecksAsync(DemoEchoServer echo, Guid sessionA, CancellationToken ct)
    {
        var sessionB = Guid.Empty;
        var code = string.Empty;
        await Step(OpenAdHocSession, async () =>
        {
            (sessionB, var given) = await OpenSessionAsync(null, "your screen shows an error", ct).ConfigureAwait(false);
            code = given ?? throw new InvalidOperationException("Keyward's answer carried no support code.");
        }).ConfigureAwait(false);

        var tcp = $"kind=tcp&port={echo.Port}";
        await Step(LoginTokenOnViewer, () => ExpectRefusedAsync("login token on the viewer plane", ViewerPath(sessionA, tcp), _token, null, 401, "join_token_invalid", ct)).ConfigureAwait(false);
        await Step(WrongSession, async () =>
        {
            var joinA = await MintJoinAsync(sessionA, ct).ConfigureAwait(false);
            await ExpectRefusedAsync("join token of session A on session B", ViewerPath(sessionB, tcp), joinA, null, 403, "join_wrong_session", ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        await Step(LoginTokenAsAgentKey, () => ExpectRefusedAsync("login token as agent key", "/agent/v1/connect", _token, AgentProtocol, 401, "agent_key_invalid", ct)).ConfigureAwait(false);
        await Step(Garbage, async () =>
        {
            await ExpectRefusedAsync("garbage on the viewer plane", ViewerPath(sessionA, tcp), GarbageCredential, null, 401, "join_token_invalid", ct).ConfigureAwait(false);
            await ExpectRefusedAsync("garbage on the agent plane", "/agent/v1/connect", GarbageCredential, AgentProtocol, 401, "agent_key_invalid", ct).ConfigureAwait(false);
        }).ConfigureAwait(false);

        // The ad-hoc agent: no enrollment, the code in its environment, the same person-at-the-machine prompt.
        var adHocArgs = new[] { "agent", "run", "--server", Origin, "--cacert", _caFile, "--allow-port", echo.Port.ToString(CultureInfo.InvariantCulture), "--consent", "prompt" };
        var withCode = new Dictionary<string, string> { ["KEYWARD_SUPPORT_CODE"] = code };
        DemoChild? adHoc = null;
        Task<ViewerEnd>? viewer = null;
        await Step(AdHocBinds, async () =>
        {
            adHoc = Own(DemoChild.Start("keyward agent run --support-code", adHocArgs, withCode));
            var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var socket = await OpenViewerAsync(sessionB, tcp, ct).ConfigureAwait(false);
            viewer = socket.RunAsync(
                (_, _) => ValueTask.CompletedTask,
                async (_, c) =>
                {
                    await Task.Delay(Timeout.Infinite, c).ConfigureAwait(false);
                    return 0;
                },
                state =>
                {
                    // waiting_consent comes only once an agent is bound to this ad-hoc session.
                    if (state == "waiting_consent")
                    {
                        waiting.TrySetResult();
                    }
                },
                null,
                null,
                ct);
            await AwaitViewerAsync(waiting.Task, viewer, "waiting_consent (the agent bound)", ct).ConfigureAwait(false);
        }).ConfigureAwait(false);

        await Step(PersonDenies, async () =>
        {
            await AnswerAsync(adHoc!, "n", "Denied.", ct).ConfigureAwait(false);
            var end = await viewer!.WaitAsync(Bound, ct).ConfigureAwait(false);
            if (end.Code != 4403 || end.Reason != "consent_denied")
            {
                throw new InvalidOperationException($"expected close 4403 consent_denied, got {end.Code} {end.Reason}");
            }

            _report.Note($"denied: the viewer was closed {end.Code} {end.Reason}");
        }).ConfigureAwait(false);

        await Step(AdHocStops, async () =>
        {
            var exit = await adHoc!.WaitForExitAsync(Bound, ct).ConfigureAwait(false);
            if (exit != 0 || !adHoc.Lines.Any(l => l.Contains("support session ended", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"the ad-hoc agent exited {exit}: {adHoc.Tail()}");
            }
        }).ConfigureAwait(false);

        await Step(CodeSingleUse, async () =>
        {
            await using var again = DemoChild.Start("a second keyward agent run --support-code", adHocArgs, withCode);
            var exit = await again.WaitForExitAsync(Bound, ct).ConfigureAwait(false);
            const int Refused = global::Keyward.Cli.Agent.AgentCommands.KeyRevokedExitCode;
            if (exit != Refused || !again.Lines.Any(l => l.Contains("refused the support code", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"expected exit {Refused} (code refused), got {exit}: {again.Tail()}");
            }
        }).ConfigureAwait(false);
    }

    private async Task SignOutAsync(DemoEchoServer echo, Guid sessionA, CancellationToken ct)
    {
        Task<ViewerEnd>? viewer = null;
        var spare = string.Empty;
        await Step(ViewerOpen, async () =>
        {
            var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pinged = false;
            var socket = await OpenViewerAsync(sessionA, $"kind=tcp&port={echo.Port}", ct).ConfigureAwait(false);
            viewer = socket.RunAsync(
                (_, _) =>
                {
                    echoed.TrySetResult();
                    return ValueTask.CompletedTask;
                },
                async (buffer, c) =>
                {
                    if (!pinged)
                    {
                        pinged = true;
                        "ping\n"u8.CopyTo(buffer.Span);
                        return 5;
                    }

                    await Task.Delay(Timeout.Infinite, c).ConfigureAwait(false);
                    return 0;
                },
                _ => { },
                null,
                null,
                ct);
            await AwaitViewerAsync(echoed.Task, viewer, "the echo of a ping", ct).ConfigureAwait(false);

            // Minted now, never used: sign-out must revoke it.
            spare = await MintJoinAsync(sessionA, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var signedOut = 0L;
        await Step(SignOut, async () =>
        {
            signedOut = Now();
            await Client.LogoutAsync(_token, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);

        await Step(ViewerClosed, async () =>
        {
            var end = await viewer!.WaitAsync(Bound, ct).ConfigureAwait(false);
            var after = System.Diagnostics.Stopwatch.GetElapsedTime(signedOut);
            if (end.Code != 4401 || end.Reason != "session_ended")
            {
                throw new InvalidOperationException($"expected close 4401 session_ended, got {end.Code} {end.Reason}");
            }

            _report.Note($"sign-out closed the open viewer socket ({end.Code} {end.Reason}) {after.TotalMilliseconds:0} ms after the sign-out request began");
        }).ConfigureAwait(false);

        await Step(LoginTokenRefused, async () =>
        {
            var refused = await Client.SendAsync(HttpMethod.Get, "/api/support/sessions", token: _token, cancellationToken: ct).ConfigureAwait(false);
            if (refused.StatusCode != (int)HttpStatusCode.Unauthorized)
            {
                throw new InvalidOperationException($"expected 401, got {refused.StatusCode} {refused.Code}");
            }

            _report.Note($"login token after sign-out: {refused.StatusCode} {refused.Code}");
        }).ConfigureAwait(false);

        await Step(RevokedJoinToken, () => ExpectRefusedAsync("join token minted before sign-out", ViewerPath(sessionA, $"kind=tcp&port={echo.Port}"), spare, null, 401, "join_token_revoked", ct)).ConfigureAwait(false);
    }
}
