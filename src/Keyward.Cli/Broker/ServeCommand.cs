using System.CommandLine;
using Keyward.Server.Hosting;
using Microsoft.Extensions.Hosting;

namespace Keyward.Cli.Broker;

/// <summary><c>keyward serve</c>: run the broker with its embedded defaults, or as configured.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Data directory (database, keys, TLS material). Default ./data." };
        var listen = new Option<string?>("--listen") { Description = "Address to listen on. Default https://127.0.0.1:8443." };
        var config = new Option<FileInfo?>("--config") { Description = "A JSON settings file (the Keyward section; see docs/configuration.md)." };
        var serve = new Command("serve", "Run Keyward. Any --Keyward:Setting=value argument overrides configuration.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        serve.Options.Add(dataDir);
        serve.Options.Add(listen);
        serve.Options.Add(config);
        serve.SetAction(async (parse, ct) =>
        {
            var args = new List<string>(parse.UnmatchedTokens);
            if (parse.GetValue(dataDir) is { } dir)
            {
                args.Add($"--Keyward:DataDirectory={dir.FullName}");
            }

            if (parse.GetValue(listen) is { } address)
            {
                args.Add($"--Keyward:Listen={address}");
            }

            var file = parse.GetValue(config);
            if (file is { Exists: false })
            {
                Console.Error.WriteLine($"{file.FullName} does not exist.");
                return 2;
            }

            await using var app = KeywardHost.Build([.. args], file?.FullName);
            await app.StartAsync(ct).ConfigureAwait(false);
            await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
            return 0;
        });
        return serve;
    }
}
