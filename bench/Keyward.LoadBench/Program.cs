using System.CommandLine;
using Keyward.LoadBench;

var rounds = new Option<int>("--rounds") { Description = "Measured rounds; each runs every path once.", DefaultValueFactory = _ => 3 };
var seconds = new Option<int>("--seconds") { Description = $"Length of one path's run in a round (1..{BenchSettings.MaxSeconds}).", DefaultValueFactory = _ => 5 };
var warmUp = new Option<int>("--warmup") { Description = "Length of each path's warm-up run, discarded (0 to skip).", DefaultValueFactory = _ => 3 };
var warmUpPasses = new Option<int>("--warmup-passes") { Description = "At most this many warm-up passes, stopping early once the JIT is quiet.", DefaultValueFactory = _ => 6 };
var connections = new Option<int>("--connections", "-c") { Description = "Connections (requests in flight at once).", DefaultValueFactory = _ => 16 };
var generator = new Option<GeneratorKind>("--generator") { Description = "auto (wrk when on PATH, else builtin), builtin, or wrk.", DefaultValueFactory = _ => GeneratorKind.Auto };
var quick = new Option<bool>("--quick") { Description = "CI smoke: 1 round of 1 s, one 1 s warm-up pass, 4 connections (flags given explicitly still win)." };

var root = new RootCommand("Keyward loopback load benchmark: the counter directly, through plain YARP, and through Keyward with a session.");
foreach (var option in new Option[] { rounds, seconds, warmUp, warmUpPasses, connections, generator, quick })
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

    return await BenchRunner.RunAsync(settings, cancellationToken);
});

return await root.Parse(args).InvokeAsync();
