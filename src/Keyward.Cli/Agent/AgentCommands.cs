using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Keyward.Agent.Enrollment;
using Keyward.Agent.Runtime;
using Keyward.Cli.Broker;
using Microsoft.Extensions.Logging;

namespace Keyward.Cli.Agent;

/// <summary><c>keyward agent enroll | run | status</c>: the machine end of remote support (docs/remote-support.md).</summary>
internal static class AgentCommands
{
    /// <summary>Exit code of <c>agent run</c> when Keyward refused the key for good.</summary>
    public const int KeyRevokedExitCode = 3;

    public static Command Create()
    {
        var agent = new Command("agent", "Remote support (preview): enroll this machine with Keyward and run its agent.");
        agent.Subcommands.Add(Enroll());
        agent.Subcommands.Add(Run());
        agent.Subcommands.Add(Status());
        agent.Subcommands.Add(AgentAdminCommands.Token());
        agent.Subcommands.Add(AgentAdminCommands.MachinesCommand());
        return agent;
    }

    private static Option<DirectoryInfo> StateDirectory() => new("--state-dir")
    {
        Description = "The agent's state directory (agent key, pinned CA, server). Default: $XDG_STATE_HOME/keyward/agent or ~/.local/state/keyward/agent.",
        DefaultValueFactory = _ => new DirectoryInfo(AgentPaths.DefaultStateDirectory),
    };

    private static Command Enroll()
    {
        var server = new Option<Uri>("--server") { Description = "Keyward's address, e.g. https://keyward.example:8443.", Required = true, CustomParser = ServerAddress.Parse };
        var caCert = new Option<FileInfo>("--cacert") { Description = "Keyward's CA (PEM, <data>/tls/ca.pem): the only CA the agent will ever trust for this server.", Required = true };
        var token = new Option<string?>("--token") { Description = "The enroll token (kwe_…) an admin created; or set KEYWARD_ENROLL_TOKEN. Single use." };
        var stateDir = StateDirectory();
        var json = new Option<bool>("--json") { Description = "Print one JSON document (stable field names)." };
        var command = new Command("enroll", "Enroll this machine with an enroll token: saves the agent key (mode 0600) and pins Keyward's CA.");
        foreach (var option in new Option[] { server, caCert, token, stateDir, json })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var output = parse.InvocationConfiguration.Output;
            var enrollToken = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("KEYWARD_ENROLL_TOKEN");
            if (string.IsNullOrWhiteSpace(enrollToken))
            {
                await error.WriteLineAsync("Give the enroll token with --token kwe_… or in KEYWARD_ENROLL_TOKEN (an admin creates one).").ConfigureAwait(false);
                return 2;
            }

            var ca = parse.GetValue(caCert)!;
            if (!ca.Exists)
            {
                await error.WriteLineAsync($"--cacert {ca.FullName} does not exist: pass Keyward's CA (<data>/tls/ca.pem).").ConfigureAwait(false);
                return 2;
            }

            if (OperatingSystem.IsWindows())
            {
                await error.WriteLineAsync("The Keyward agent runs on Linux and other Unix systems only.").ConfigureAwait(false);
                return 1;
            }

            AgentEnrollmentResult result;
            try
            {
                result = await AgentEnrollment.EnrollAsync(parse.GetValue(server)!, ca.FullName, enrollToken.Trim(), parse.GetValue(stateDir)!.FullName, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (AgentStateException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }

            if (!result.Succeeded)
            {
                var prefix = result.Status == 0 ? string.Empty : $"Refused: {result.Status} {result.Code}: ";
                await error.WriteLineAsync(prefix + result.Detail).ConfigureAwait(false);
                return 1;
            }

            var state = result.State!;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(Describe(state).ToJsonString(SessionCommands.Indented)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"Enrolled as machine {state.MachineId}{(state.Label is null ? string.Empty : $" ({state.Label})")} with Keyward at {state.Server}.").ConfigureAwait(false);
                await output.WriteLineAsync($"State in {state.Directory} (agent key in {AgentState.KeyFileName}, mode 0600). Start the agent with: keyward agent run --state-dir {state.Directory}").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static Command Run()
    {
        var stateDir = StateDirectory();
        var allowPort = new Option<int[]>("--allow-port") { Description = "A TCP port on this machine's loopback that technicians may reach (repeat for more). None by default.", AllowMultipleArgumentsPerToken = false };
        allowPort.Validators.Add(result =>
        {
            foreach (var port in result.GetValueOrDefault<int[]>() ?? [])
            {
                if (port is < 1 or > 65535)
                {
                    result.AddError($"--allow-port {port} is not a TCP port (1-65535).");
                }
            }
        });
        var consent = new Option<string>("--consent") { Description = "How to answer consent requests: prompt (ask on this terminal), or accept / deny (scripted demos and tests).", DefaultValueFactory = _ => "prompt" };
        consent.AcceptOnlyFromAmong("prompt", "accept", "deny");
        var terminalUser = new Option<string?>("--terminal-user") { Description = "Run terminals as this account's login shell (su -l; the agent must run as root). Default: the agent's own account." };
        var noTerminal = new Option<bool>("--no-terminal") { Description = "Refuse terminal streams (open_failed unsupported)." };
        var verbose = new Option<bool>("--verbose") { Description = "Log connection details (debug level) to standard error." };
        var supportCode = new Option<string?>("--support-code") { Description = "Ad hoc, without enrolling: the support code (XXXX-XXXX-XXXX) the technician gave you; or set KEYWARD_SUPPORT_CODE. Needs --server and --cacert; serves that one support session, then stops." };
        var server = new Option<Uri?>("--server") { Description = "Ad hoc: Keyward's address, e.g. https://keyward.example:8443.", CustomParser = ServerAddress.Parse };
        var caCert = new Option<FileInfo?>("--cacert") { Description = "Ad hoc: Keyward's CA (PEM): the only CA trusted for this connection." };
        var command = new Command("run", "Run the agent: keep a socket to Keyward, ask before anyone connects, forward allowed ports and terminals.");
        foreach (var option in new Option[] { stateDir, allowPort, consent, terminalUser, noTerminal, verbose, supportCode, server, caCert })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var output = parse.InvocationConfiguration.Output;
            using var loggers = LoggerFactory.Create(b => b
                .SetMinimumLevel(parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information)
                .AddSimpleConsole(o => o.SingleLine = true)
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
            using var prompt = new TerminalConsent(Console.In, output, interactive: !Console.IsInputRedirected);
            Func<ConsentRequest, CancellationToken, Task<bool>> answer = parse.GetValue(consent) switch
            {
                "accept" => (_, _) => Task.FromResult(true),
                "deny" => (_, _) => Task.FromResult(false),
                _ => prompt.AskAsync,
            };
            var code = parse.GetValue(supportCode) ?? Environment.GetEnvironmentVariable("KEYWARD_SUPPORT_CODE");
            AdHocConnection? adHoc = null;
            if (!string.IsNullOrWhiteSpace(code))
            {
                if (parse.GetValue(server) is not { } address || parse.GetValue(caCert) is not { } ca)
                {
                    await error.WriteLineAsync("An ad-hoc agent (--support-code) needs --server URL and --cacert CA (Keyward's CA, <data>/tls/ca.pem).").ConfigureAwait(false);
                    return 2;
                }

                if (!ca.Exists)
                {
                    await error.WriteLineAsync($"--cacert {ca.FullName} does not exist: pass Keyward's CA (<data>/tls/ca.pem).").ConfigureAwait(false);
                    return 2;
                }

                adHoc = new AdHocConnection(address, ca.FullName, code);
            }
            else if (parse.GetValue(server) is not null || parse.GetValue(caCert) is not null)
            {
                await error.WriteLineAsync("--server and --cacert are for an ad-hoc agent (with --support-code); an enrolled agent reads them from its state directory.").ConfigureAwait(false);
                return 2;
            }

            var options = new AgentRuntimeOptions
            {
                StateDirectory = adHoc is null ? parse.GetValue(stateDir)!.FullName : null,
                AdHoc = adHoc,
                AllowedPorts = new HashSet<int>(parse.GetValue(allowPort) ?? []),
                Consent = answer,
                Terminal = new TerminalOptions { Enabled = !parse.GetValue(noTerminal), User = parse.GetValue(terminalUser) },
                Logger = loggers.CreateLogger("Keyward.Agent"),
            };
            if (options.Terminal.User is { } user && Environment.UserName != user && !IsRoot())
            {
                await error.WriteLineAsync($"--terminal-user {user} needs the agent to run as root (su -l); run it as root, or leave --terminal-user out to use your own account.").ConfigureAwait(false);
                return 2;
            }

            try
            {
                var reason = await new AgentRuntime(options).RunAsync(ct).ConfigureAwait(false);
                if (reason == AgentStopReason.KeyRevoked)
                {
                    await error.WriteLineAsync("Keyward refused this agent's key: it was revoked or the machine deleted. The agent stopped and will not retry; enroll again with a new enroll token (keyward agent enroll).").ConfigureAwait(false);
                    return KeyRevokedExitCode;
                }

                if (reason == AgentStopReason.SupportCodeRefused)
                {
                    await error.WriteLineAsync("Keyward refused the support code: it is wrong, already used, expired, or its session ended. Ask the technician for a new one.").ConfigureAwait(false);
                    return KeyRevokedExitCode;
                }

                if (reason == AgentStopReason.SessionEnded)
                {
                    await output.WriteLineAsync("The support session ended; the ad-hoc agent stopped.").ConfigureAwait(false);
                }

                return 0;
            }
            catch (AgentStateException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                await error.WriteLineAsync("--cacert does not hold a PEM certificate: pass Keyward's CA (<data>/tls/ca.pem).").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }

    private static Command Status()
    {
        var stateDir = StateDirectory();
        var json = new Option<bool>("--json") { Description = "Print one JSON document (stable field names)." };
        var command = new Command("status", "Show this machine's enrollment (read from the state directory; Keyward is not contacted).");
        command.Options.Add(stateDir);
        command.Options.Add(json);
        command.SetAction(async (parse, ct) =>
        {
            AgentState state;
            try
            {
                state = AgentState.Load(parse.GetValue(stateDir)!.FullName);
            }
            catch (AgentStateException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }

            var description = Describe(state);
            if (parse.GetValue(json))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(description.ToJsonString(SessionCommands.Indented)).ConfigureAwait(false);
                return 0;
            }

            foreach (var (name, value) in description)
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync($"{name,-14} {value}").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static JsonObject Describe(AgentState state)
    {
        var description = new JsonObject
        {
            ["server"] = state.Server.ToString(),
            ["machine_id"] = state.MachineId,
            ["label"] = state.Label,
            ["enrolled_at"] = state.EnrolledAt,
            ["state_dir"] = state.Directory,
            ["key_file_mode"] = OperatingSystem.IsWindows() ? null : Convert.ToString((int)File.GetUnixFileMode(state.KeyPath), 8).PadLeft(4, '0'),
        };
        try
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(state.CaPath);
            description["pinned_ca"] = roots.Count > 0 ? roots[0].Subject : null;
            description["pinned_ca_expires"] = roots.Count > 0 ? new DateTimeOffset(roots[0].NotAfter.ToUniversalTime()) : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            description["pinned_ca"] = "unreadable";
        }

        return description;
    }

    private static bool IsRoot() => !OperatingSystem.IsWindows() && Environment.UserName == "root";
}
