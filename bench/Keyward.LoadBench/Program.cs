using System.CommandLine;
using Keyward.LoadBench;
using Keyward.LoadBench.SignIn;
using Keyward.LoadBench.Support;
using Keyward.LoadBench.Trivial;

// The bench's own child processes: the trivial upstream, and the sign-in bench's clients.
switch (args.FirstOrDefault())
{
    case TrivialUpstream.ChildCommand:
        return await TrivialUpstream.RunChildAsync(args);
    case SignInClient.ChildCommand:
        return await SignInClient.RunChildAsync(args);
}

// Issue 13's cluster figures (cluster-revoke, session-cache) parse their own flags: bench/Keyward.LoadBench/Cluster/.
if (Keyward.LoadBench.Cluster.ClusterModes.Matches(args))
{
    return await Keyward.LoadBench.Cluster.ClusterModes.RunAsync(args);
}

var onDisk = new Option<bool>("--on-disk") { Description = "signin mode: Keyward's state on the disk (the temporary directory), not tmpfs." };
var clients = new Option<int>("--clients") { Description = "signin mode: concurrent clients.", DefaultValueFactory = _ => 8 };

var rounds = new Option<int>("--rounds") { Description = "Measured rounds; each runs every path once.", DefaultValueFactory = _ => 3 };
var seconds = new Option<int>("--seconds") { Description = $"Length of one path's run in a round (1..{BenchSettings.MaxSeconds}).", DefaultValueFactory = _ => 5 };
var warmUp = new Option<int>("--warmup") { Description = "Length of each path's warm-up run, discarded (0 to skip).", DefaultValueFactory = _ => 3 };
var warmUpPasses = new Option<int>("--warmup-passes") { Description = "At most this many warm-up passes, stopping early once the JIT is quiet.", DefaultValueFactory = _ => 6 };
var connections = new Option<int>("--connections", "-c") { Description = "Connections (requests in flight at once).", DefaultValueFactory = _ => 16 };
var generator = new Option<GeneratorKind>("--generator") { Description = "auto (wrk when on PATH, else builtin), builtin, or wrk.", DefaultValueFactory = _ => GeneratorKind.Auto };
var onlyPaths = new Option<string?>("--paths") { Description = "trivial mode: run only these front ends, comma-separated (direct, yarp, nginx, nginx-auth, keyward); the direct path always runs. Default: every path." };
var keywardMetrics = new Option<bool>("--keyward-metrics-off") { Description = "trivial mode: run Keyward with Keyward:Metrics:Listen=off (no /metrics listener, so ASP.NET Core's and Kestrel's per-request instruments stay disabled, as in plain YARP, which has no listener). Default: Keyward as shipped, listener on." };
var operations = new Option<SignInOperation[]>("--operations") { Description = "signin mode: the operations to run (SignIn, Mint, MintAndRedeem; e.g. --operations Mint to profile the mint alone). All three by default.", AllowMultipleArgumentsPerToken = true };
var quick = new Option<bool>("--quick") { Description = "CI smoke: 1 round of 1 s, one 1 s warm-up pass, 4 connections (flags given explicitly still win)." };
var mode = new Option<string>("--mode") { Description = "counter (the counter sample behind each path; the default), trivial (a trivial upstream behind YARP, nginx, nginx auth_request and Keyward), signin (sign-ins and WebSocket tickets), vault (vault reads with a capability against the proxy path), or remote support's relay, agents, support-code, revoke.", DefaultValueFactory = _ => SupportModes.Counter };
mode.AcceptOnlyFromAmong(SupportModes.All);
var megabytes = new Option<int>("--megabytes") { Description = "relay: MiB in one download.", DefaultValueFactory = _ => 64 };
var agents = new Option<int>("--agents") { Description = "agents: idle agents to connect (the issue's figure is 10000).", DefaultValueFactory = _ => 1_000 };
var idleSeconds = new Option<int>("--idle-seconds") { Description = "agents: length of each idle CPU window (default one heartbeat interval).", DefaultValueFactory = _ => 20 };
var binders = new Option<int>("--binders") { Description = "support-code: binders racing for one code per round.", DefaultValueFactory = _ => 100 };
var swarmUrl = new Option<string?>("--swarm-url") { Hidden = true };
var swarmCa = new Option<string?>("--swarm-ca") { Hidden = true };
var swarmKeys = new Option<string?>("--swarm-keys") { Hidden = true };
var agentState = new Option<string?>("--agent-state") { Hidden = true };
var agentPort = new Option<int>("--agent-port") { Hidden = true };
var viewerUrl = new Option<string?>("--viewer-url") { Hidden = true };
var viewerCa = new Option<string?>("--viewer-ca") { Hidden = true };

var root = new RootCommand("Keyward loopback load benchmark: front ends over the counter sample or a trivial upstream, or sign-ins and WebSocket tickets.");
foreach (var option in new Option[] { mode, clients, onDisk, operations, rounds, seconds, warmUp, warmUpPasses, connections, generator, onlyPaths, keywardMetrics, quick, megabytes, agents, idleSeconds, binders, swarmUrl, swarmCa, swarmKeys, agentState, agentPort, viewerUrl, viewerCa })
{
    root.Options.Add(option);
}

root.SetAction(async (parse, cancellationToken) =>
{
    var isQuick = parse.GetValue(quick);
    int Pick(Option<int> option, int quickValue) =>
        isQuick && parse.GetResult(option) is null or { Implicit: true } ? quickValue : parse.GetValue(option);
    int Default(Option<int> option, int value) => parse.GetResult(option) is null or { Implicit: true } ? value : parse.GetValue(option);

    var chosen = parse.GetValue(mode)!;
    if (chosen == SupportModes.Swarm)
    {
        return await AgentSwarm.RunAsync(parse.GetValue(swarmUrl), parse.GetValue(swarmCa), parse.GetValue(swarmKeys), cancellationToken);
    }

    if (chosen == SupportModes.RelayAgent)
    {
        return await RelayAgent.RunAsync(parse.GetValue(agentState), parse.GetValue(agentPort), cancellationToken);
    }

    if (chosen == SupportModes.RelayViewer)
    {
        return await RelayViewer.RunAsync(parse.GetValue(viewerUrl), parse.GetValue(viewerCa), cancellationToken);
    }

    if (!SupportModes.IsLoadRun(chosen))
    {
        var support = new SupportBenchSettings
        {
            Mode = chosen,
            Rounds = parse.GetResult(rounds) is null or { Implicit: true }
                ? chosen switch { SupportModes.Relay => isQuick ? 1 : 5, SupportModes.SupportCode => isQuick ? 3 : 20, _ => isQuick ? 2 : 10 }
                : parse.GetValue(rounds),
            Megabytes = Pick(megabytes, 8),
            Agents = Pick(agents, 200),
            IdleSeconds = Pick(idleSeconds, 5),
            Binders = Default(binders, 100),
            Quick = isQuick,
        };
        var problems = support.Validate().ToList();
        if (problems.Count > 0)
        {
            problems.ForEach(Console.Error.WriteLine);
            return 2;
        }

        return await SupportBenchRunner.RunAsync(support, cancellationToken);
    }

    var settings = new BenchSettings
    {
        Mode = SupportModes.LoadRun(chosen),
        Clients = Pick(clients, 2),
        OnDisk = parse.GetValue(onDisk),
        Rounds = Pick(rounds, 1),
        Seconds = Pick(seconds, 1),
        WarmUpSeconds = Pick(warmUp, 1),
        MaxWarmUpPasses = Pick(warmUpPasses, 1),
        Connections = Pick(connections, 4),
        Generator = parse.GetValue(generator),
        OnlyPaths = parse.GetValue(onlyPaths) is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal) : null,
        Operations = parse.GetValue(operations) is { Length: > 0 } picked ? [.. picked.Distinct()] : Enum.GetValues<SignInOperation>(),
        Quick = isQuick,
        KeywardMetricsOff = parse.GetValue(keywardMetrics),
    };
    var errors = settings.Validate().ToList();
    if (errors.Count > 0)
    {
        errors.ForEach(Console.Error.WriteLine);
        return 2;
    }

    return settings.Mode == BenchMode.SignIn
        ? await SignInBench.RunAsync(settings, cancellationToken)
        : await BenchRunner.RunAsync(settings, cancellationToken);
});

return await root.Parse(args).InvokeAsync();
