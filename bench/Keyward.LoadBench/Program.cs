using System.CommandLine;
using Keyward.LoadBench;
using Keyward.LoadBench.SignIn;
using Keyward.LoadBench.Trivial;

// The bench's own child processes: the trivial upstream, and the sign-in bench's clients.
switch (args.FirstOrDefault())
{
    case TrivialUpstream.ChildCommand:
        return await TrivialUpstream.RunChildAsync(args);
    case SignInClient.ChildCommand:
        return await SignInClient.RunChildAsync(args);
}

var mode = new Option<BenchMode>("--mode") { Description = "counter (the counter sample behind each path), trivial (a trivial upstream behind YARP, nginx, nginx auth_request and Keyward), or signin (sign-ins and WebSocket tickets).", DefaultValueFactory = _ => BenchMode.Counter };
var onDisk = new Option<bool>("--on-disk") { Description = "signin mode: Keyward's state on the disk (the temporary directory), not tmpfs." };
var clients = new Option<int>("--clients") { Description = "signin mode: concurrent clients.", DefaultValueFactory = _ => 8 };

var rounds = new Option<int>("--rounds") { Description = "Measured rounds; each runs every path once.", DefaultValueFactory = _ => 3 };
var seconds = new Option<int>("--seconds") { Description = $"Length of one path's run in a round (1..{BenchSettings.MaxSeconds}).", DefaultValueFactory = _ => 5 };
var warmUp = new Option<int>("--warmup") { Description = "Length of each path's warm-up run, discarded (0 to skip).", DefaultValueFactory = _ => 3 };
var warmUpPasses = new Option<int>("--warmup-passes") { Description = "At most this many warm-up passes, stopping early once the JIT is quiet.", DefaultValueFactory = _ => 6 };
var connections = new Option<int>("--connections", "-c") { Description = "Connections (requests in flight at once).", DefaultValueFactory = _ => 16 };
var generator = new Option<GeneratorKind>("--generator") { Description = "auto (wrk when on PATH, else builtin), builtin, or wrk.", DefaultValueFactory = _ => GeneratorKind.Auto };
var quick = new Option<bool>("--quick") { Description = "CI smoke: 1 round of 1 s, one 1 s warm-up pass, 4 connections (flags given explicitly still win)." };

var root = new RootCommand("Keyward loopback load benchmark: front ends over the counter sample or a trivial upstream, or sign-ins and WebSocket tickets.");
foreach (var option in new Option[] { mode, clients, onDisk, rounds, seconds, warmUp, warmUpPasses, connections, generator, quick })
{
    root.Options.Add(option);
}

root.SetAction(async (parse, cancellationToken) =>
{
    var isQuick = parse.GetValue(quick);
    int Pick(Option<int> option, int quickValue) =>
        isQuick && parse.GetResult(option) is null or { Implicit: true } ? quickValue : parse.GetValue(option);

    var settings = new BenchSettings
    {
        Mode = parse.GetValue(mode),
        Clients = Pick(clients, 2),
        OnDisk = parse.GetValue(onDisk),
        Rounds = Pick(rounds, 1),
        Seconds = Pick(seconds, 1),
        WarmUpSeconds = Pick(warmUp, 1),
        MaxWarmUpPasses = Pick(warmUpPasses, 1),
        Connections = Pick(connections, 4),
        Generator = parse.GetValue(generator),
        Quick = isQuick,
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
