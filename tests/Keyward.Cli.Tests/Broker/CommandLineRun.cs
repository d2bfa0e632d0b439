using System.CommandLine;

namespace Keyward.Cli.Tests.Broker;

/// <summary>Runs <c>keyward</c> in process through its root command, with its output and errors captured.</summary>
internal static class CommandLineRun
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await KeywardCommandLine.RunAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
