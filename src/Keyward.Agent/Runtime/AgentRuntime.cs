using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Authentication;
using Keyward.Agent.Enrollment;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyward.Agent.Runtime;

/// <summary>
/// The agent: keeps one socket to Keyward (<c>keyward-agent.v1</c>), TLS checked against the CA pinned at enrollment
/// only, authenticated with the agent key; reconnects with jittered exponential backoff, and stops for good when the
/// key is refused (docs/remote-support.md, "The agent end").
/// </summary>
public sealed class AgentRuntime
{
    private readonly AgentRuntimeOptions _options;
    private readonly ILogger _logger;

    /// <summary>An agent that runs with <paramref name="options"/>.</summary>
    public AgentRuntime(AgentRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SendQueueFrames < 1 || options.StreamQueueFrames < 1)
        {
            throw new ArgumentException("SendQueueFrames and StreamQueueFrames must be at least 1.", nameof(options));
        }

        if ((options.AdHoc is null) == string.IsNullOrEmpty(options.StateDirectory))
        {
            throw new ArgumentException("Set StateDirectory (an enrolled agent) or AdHoc (a support code), exactly one.", nameof(options));
        }

        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled or Keyward refuses the key. A missing or damaged
    /// state directory throws <see cref="AgentStateException"/> before anything is sent.
    /// </summary>
    public async Task<AgentStopReason> RunAsync(CancellationToken cancellationToken)
    {
        if (_options.AdHoc is { } adHoc)
        {
            return await RunAdHocAsync(adHoc, cancellationToken).ConfigureAwait(false);
        }

        var state = AgentState.Load(_options.StateDirectory!);
        var tls = PinnedCa.Only(state.CaPath);
        var time = _options.TimeProvider;
        var backoff = new ReconnectBackoff(_options.Backoff, _options.Random);
        for (var attempt = 1; ; attempt++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return AgentStopReason.Stopped;
            }

            var started = time.GetTimestamp();
            AgentLog.Connecting(_logger, state.Server.Authority, attempt);
            var outcome = await ConnectOnceAsync(state, tls, cancellationToken).ConfigureAwait(false);
            switch (outcome.Kind)
            {
                case ConnectionOutcomeKind.Revoked:
                    AgentLog.KeyRevoked(_logger, outcome.Reason);
                    return AgentStopReason.KeyRevoked;
                case ConnectionOutcomeKind.Cancelled:
                    return AgentStopReason.Stopped;
                case ConnectionOutcomeKind.TlsRefused:
                    AgentLog.TlsRefused(_logger, state.Server.Authority);
                    break;
                case ConnectionOutcomeKind.Failed:
                    AgentLog.ConnectFailed(_logger, outcome.Reason);
                    break;
                case ConnectionOutcomeKind.Replaced:
                    AgentLog.Replaced(_logger, state.MachineId);
                    break;
                default:
                    AgentLog.Disconnected(_logger, outcome.Reason);
                    break;
            }

            if (outcome.WasConnected && time.GetElapsedTime(started) >= _options.Backoff.StableAfter)
            {
                backoff.Reset();
            }

            // After 4409 a short fixed wait, not the growing backoff: a thief reconnecting at once must not keep the
            // real agent off its machine (review finding 1).
            var delay = outcome.Kind == ConnectionOutcomeKind.Replaced ? _options.Backoff.AfterReplaced : backoff.Next();
            AgentLog.Reconnecting(_logger, (long)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return AgentStopReason.Stopped;
            }
        }
    }

    /// <summary>
    /// An ad-hoc agent: presents the support code until one connection is made (a network failure or an untrusted
    /// certificate is retried with backoff: the code was not accepted), then stops when that connection ends; a 401
    /// stops it at once (a refused code will not start working).
    /// </summary>
    private async Task<AgentStopReason> RunAdHocAsync(AdHocConnection adHoc, CancellationToken cancellationToken)
    {
        var tls = PinnedCa.Only(adHoc.CaPath);
        var state = new AgentState { Directory = string.Empty, Server = adHoc.Server, MachineId = "ad hoc" };
        var backoff = new ReconnectBackoff(_options.Backoff, _options.Random);
        for (var attempt = 1; ; attempt++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return AgentStopReason.Stopped;
            }

            AgentLog.Connecting(_logger, adHoc.Server.Authority, attempt);
            var outcome = await ConnectOnceAsync(state, tls, () => adHoc.SupportCode, cancellationToken).ConfigureAwait(false);
            switch (outcome.Kind)
            {
                case ConnectionOutcomeKind.Cancelled:
                    return AgentStopReason.Stopped;
                case ConnectionOutcomeKind.Revoked when !outcome.WasConnected:
                    AgentLog.KeyRevoked(_logger, outcome.Reason);
                    return AgentStopReason.SupportCodeRefused;
                case ConnectionOutcomeKind.Revoked or ConnectionOutcomeKind.Closed:
                    AgentLog.Disconnected(_logger, outcome.Reason);
                    return AgentStopReason.SessionEnded;
                case ConnectionOutcomeKind.TlsRefused:
                    AgentLog.TlsRefused(_logger, adHoc.Server.Authority);
                    break;
                default:
                    AgentLog.ConnectFailed(_logger, outcome.Reason);
                    break;
            }

            var delay = backoff.Next();
            AgentLog.Reconnecting(_logger, (long)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return AgentStopReason.Stopped;
            }
        }
    }

    /// <summary>One connection with the agent key: the upgrade, then the socket's life until it closes.</summary>
    internal Task<ConnectionOutcome> ConnectOnceAsync(AgentState state, RemoteCertificateValidationCallback tls, CancellationToken cancellationToken) =>
        ConnectOnceAsync(state, tls, state.ReadKey, cancellationToken);

    /// <summary>One connection with the credential <paramref name="credential"/> reads (an agent key or a support code).</summary>
    internal async Task<ConnectionOutcome> ConnectOnceAsync(AgentState state, RemoteCertificateValidationCallback tls, Func<string> credential, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(AgentProtocolHeaders.SubProtocol);
        socket.Options.SetRequestHeader("Authorization", "Bearer " + credential());
        socket.Options.SetRequestHeader(AgentProtocolHeaders.Version, AgentProtocolHeaders.AgentVersion);
        socket.Options.RemoteCertificateValidationCallback = tls;
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(45);
        try
        {
            await socket.ConnectAsync(ConnectUri(state.Server), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new(ConnectionOutcomeKind.Cancelled, false, "stopped");
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
        {
            if (socket.HttpStatusCode == HttpStatusCode.Unauthorized)
            {
                return new(ConnectionOutcomeKind.Revoked, false, "401 on connect");
            }

            return HasInner<AuthenticationException>(e)
                ? new(ConnectionOutcomeKind.TlsRefused, false, "certificate not trusted")
                : new(ConnectionOutcomeKind.Failed, false, socket.HttpStatusCode is 0 ? e.Message : $"upgrade answered {(int)socket.HttpStatusCode}");
        }

        if (socket.SubProtocol != AgentProtocolHeaders.SubProtocol)
        {
            socket.Abort();
            return new(ConnectionOutcomeKind.Failed, false, "the server did not select subprotocol " + AgentProtocolHeaders.SubProtocol);
        }

        await using var connection = new AgentConnection(socket, state, _options, _logger);
        return await connection.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static Uri ConnectUri(Uri server)
    {
        var builder = new UriBuilder(new Uri(AgentEnrollment.WithTrailingSlash(server), AgentProtocolHeaders.ConnectPath));
        builder.Scheme = builder.Scheme == Uri.UriSchemeHttp ? "ws" : "wss";
        return builder.Uri;
    }

    private static bool HasInner<T>(Exception e)
        where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T)
            {
                return true;
            }
        }

        return false;
    }
}
