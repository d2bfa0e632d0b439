using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Keyward.Cli.Broker;
using Keyward.Cli.Operators;

namespace Keyward.Cli.Support;

/// <summary>
/// <c>keyward connect ID --forward LOCAL:REMOTE</c> and <c>keyward shell ID</c>: the technician's viewer
/// (docs/remote-support.md, "The viewer socket"). Each viewer socket gets a fresh join token, minted with the saved
/// session and never printed.
/// </summary>
internal static class ViewerCommands
{
    /// <summary>Reasons after which the support session is over (or the sign-in is): a forward stops accepting.</summary>
    private static readonly HashSet<string> Final = ["consent_denied", "consent_timeout", "support_ended", "session_ended", "agent_gone"];

    public static Command Connect()
    {
        var connect = new Command("connect", "Forward a local TCP port to a port on the machine of a support session (each local connection is one stream through Keyward). Ctrl+C ends.");
        var id = new Argument<Guid>("support-session-id") { Description = "The support session's id (keyward support list)." };
        var forward = new Option<string>("--forward") { Description = "LOCALPORT:REMOTEPORT: listen on 127.0.0.1:LOCALPORT, reach REMOTEPORT on the machine's loopback (the agent's --allow-port decides).", Required = true };
        forward.Validators.Add(result =>
        {
            if (!TryPorts(result.GetValueOrDefault<string>(), out _, out _))
            {
                result.AddError("--forward takes LOCALPORT:REMOTEPORT, two TCP ports (1-65535), e.g. --forward 2222:22.");
            }
        });
        connect.Arguments.Add(id);
        connect.Options.Add(forward);
        var o = OperatorOptions.AddTo(connect);
        connect.SetAction((parse, ct) => RunConnectAsync(parse, o, parse.GetValue(id), parse.GetValue(forward)!, ct));
        return connect;
    }

    public static Command Shell()
    {
        var shell = new Command("shell", "Open a terminal on the machine of a support session (raw mode on a terminal; piped input runs as a script, then exit).");
        var id = new Argument<Guid>("support-session-id") { Description = "The support session's id (keyward support list)." };
        shell.Arguments.Add(id);
        var o = OperatorOptions.AddTo(shell);
        shell.SetAction((parse, ct) => RunShellAsync(parse, o, parse.GetValue(id), ct));
        return shell;
    }

    internal static bool TryPorts(string? value, out int local, out int remote)
    {
        local = remote = 0;
        var parts = value?.Split(':') ?? [];
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out local) && local is >= 1 and <= 65535
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out remote) && remote is >= 1 and <= 65535;
    }

    private static string Waiting(string state) => state switch
    {
        "waiting_consent" => "Waiting for consent from the person at the machine...",
        "waiting_agent" => "Waiting for the machine's agent to connect...",
        _ => $"Waiting ({state})...",
    };

    private static Task<int> RunConnectAsync(ParseResult parse, OperatorOptions options, Guid session, string forward, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var exit = 0;
        return SessionCommands.RunAsync(parse, options.Server, options.CaCert, async () =>
        {
            TryPorts(forward, out var localPort, out var remotePort);
            using var join = new ViewerJoin(parse, options, session);
            if (await join.StateAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                throw new InvalidOperationException($"Support session {session} is not open (or not yours): see keyward support list.");
            }

            var listener = new TcpListener(IPAddress.Loopback, localPort);
            try
            {
                listener.Start();
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"Cannot listen on 127.0.0.1:{localPort} ({e.SocketErrorCode}): choose another LOCALPORT.", e);
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var connections = new List<Task>();
            try
            {
                await output.WriteLineAsync($"Forwarding 127.0.0.1:{localPort} to port {remotePort} on the machine of support session {session}. Ctrl+C ends.").ConfigureAwait(false);
                var lastStatus = (string?)null;
                while (!stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await listener.AcceptTcpClientAsync(stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    connections.Add(Task.Run(async () =>
                    {
                        using (client)
                        {
                            try
                            {
                                await using var socket = await join.OpenAsync($"kind=tcp&port={remotePort}", stop.Token).ConfigureAwait(false);
                                var stream = client.GetStream();
                                var end = await socket.RunAsync(
                                    (data, c) => stream.WriteAsync(data, c),
                                    (buffer, c) => stream.ReadAsync(buffer, c),
                                    state =>
                                    {
                                        if (Interlocked.Exchange(ref lastStatus, state) != state)
                                        {
                                            error.WriteLine(Waiting(state));
                                        }
                                    },
                                    onLocalEnd: null,
                                    onActive: null,
                                    stop.Token).ConfigureAwait(false);
                                if (!end.Normal)
                                {
                                    await error.WriteLineAsync(end.Describe()).ConfigureAwait(false);
                                }

                                if (end.Reason is { } r && Final.Contains(r))
                                {
                                    exit = 1;
                                    await stop.CancelAsync().ConfigureAwait(false);
                                }
                            }
                            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or System.Net.WebSockets.WebSocketException or Client.KeywardProblemException)
                            {
                                await error.WriteLineAsync(e is Client.KeywardProblemException p ? "Refused: " + Refusal.Describe(p) : e.Message).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException)
                            {
                                // Ctrl+C.
                            }
                        }
                    }, CancellationToken.None));
                }
            }
            finally
            {
                listener.Stop();
                await Task.WhenAll(connections).ConfigureAwait(false);
            }
        }).ContinueWith(t => t.Result == 0 ? exit : t.Result, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static Task<int> RunShellAsync(ParseResult parse, OperatorOptions options, Guid session, CancellationToken cancellationToken)
    {
        var error = parse.InvocationConfiguration.Error;
        var output = parse.InvocationConfiguration.Output;
        var exit = 0;
        return SessionCommands.RunAsync(parse, options.Server, options.CaCert, async () =>
        {
            var tty = !Console.IsInputRedirected;
            var (cols, rows) = Size();
            using var join = new ViewerJoin(parse, options, session);
            await using var socket = await join.OpenAsync($"kind=terminal&cols={cols}&rows={rows}", cancellationToken).ConfigureAwait(false);
            var input = Console.OpenStandardInput();
            var toConsole = ReferenceEquals(output, Console.Out) ? Console.OpenStandardOutput() : null;
            var decoder = Encoding.UTF8.GetDecoder();
            using var raw = tty ? RawTerminal.Enter() : null;
            using var resize = tty && !OperatingSystem.IsWindows()
                ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
                {
                    var (c, r) = Size();
                    _ = socket.ResizeAsync(c, r, CancellationToken.None);
                })
                : null;
            var lastStatus = (string?)null;
            var end = await socket.RunAsync(
                async (data, c) =>
                {
                    if (toConsole is not null)
                    {
                        await toConsole.WriteAsync(data, c).ConfigureAwait(false);
                        await toConsole.FlushAsync(c).ConfigureAwait(false);
                        return;
                    }

                    var chars = new char[decoder.GetCharCount(data.Span, flush: false)];
                    decoder.GetChars(data.Span, chars, flush: false);
                    await output.WriteAsync(chars, c).ConfigureAwait(false);
                },
                (buffer, c) => input.ReadAsync(buffer, c),
                state =>
                {
                    if (lastStatus != state)
                    {
                        lastStatus = state;
                        error.Write(Waiting(state) + (tty ? "\r\n" : "\n"));
                    }
                },

                // Piped input: at its end "exit" on a line of its own ends the shell after the script, so it runs and returns.
                // (Not Ctrl+D: readline may switch the PTY out of canonical mode first, and the end-of-file is lost.)
                onLocalEnd: tty ? null : "\nexit\n"u8.ToArray(),
                onActive: null,
                cancellationToken).ConfigureAwait(false);
            raw?.Dispose();
            if (!end.Normal)
            {
                await error.WriteLineAsync(end.Describe()).ConfigureAwait(false);
                exit = 1;
            }
        }).ContinueWith(t => t.Result == 0 ? exit : t.Result, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static (int Cols, int Rows) Size()
    {
        try
        {
            if (!Console.IsOutputRedirected && Console.WindowWidth is > 0 and <= 1000 && Console.WindowHeight is > 0 and <= 1000)
            {
                return (Console.WindowWidth, Console.WindowHeight);
            }
        }
        catch (IOException)
        {
            // No terminal.
        }

        return (80, 24);
    }

    /// <summary>Raw mode on the terminal (stty), restored on dispose.</summary>
    private sealed class RawTerminal : IDisposable
    {
        private readonly string? _saved;
        private int _disposed;

        private RawTerminal(string? saved) => _saved = saved;

        public static RawTerminal Enter()
        {
            var saved = Stty("-g", capture: true)?.Trim();
            if (!string.IsNullOrEmpty(saved))
            {
                Stty("raw -echo", capture: false);
            }

            return new RawTerminal(saved);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0 && !string.IsNullOrEmpty(_saved))
            {
                Stty(_saved, capture: false);
            }
        }

        private static string? Stty(string arguments, bool capture)
        {
            try
            {
                // stty acts on its standard input: the terminal this process inherited.
                using var process = Process.Start(new ProcessStartInfo("stty", arguments) { UseShellExecute = false, RedirectStandardOutput = capture });
                var text = capture ? process!.StandardOutput.ReadToEnd() : null;
                process!.WaitForExit();
                return process.ExitCode == 0 ? text : null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }
    }
}
