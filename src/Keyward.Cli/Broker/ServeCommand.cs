using System.CommandLine;
using Keyward.Server.Hosting;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Keyward.Cli.Broker;

/// <summary><c>keyward serve</c>: run the broker with its embedded defaults, or as configured.</summary>
internal static class ServeCommand
{
    // The generic host logs a failed start with its stack trace; serve words that failure itself.
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Data directory (database, keys, TLS material). Default ./data." };
        var listen = new Option<string?>("--listen") { Description = "Address to listen on. Default https://127.0.0.1:8443." };
        var config = new Option<FileInfo?>("--config") { Description = "A JSON settings file (the Keyward section; see docs/configuration.md)." };
        var logFormat = new Option<string>("--log-format")
        {
            Description = "Console log lines: simple (default), or json (one JSON object per line, UTC timestamps, for a log collector).",
            DefaultValueFactory = _ => "simple",
        };
        logFormat.AcceptOnlyFromAmong("simple", "json");
        var settings = SettingArguments.Create();
        var serve = new Command("serve", "Run Keyward. Any --Keyward:Setting=value argument overrides configuration.") { settings };
        serve.Options.Add(dataDir);
        serve.Options.Add(listen);
        serve.Options.Add(config);
        serve.Options.Add(logFormat);
        serve.SetAction((parse, ct) =>
        {
            var args = new List<string>(parse.GetValue(settings) ?? []);
            if (parse.GetValue(dataDir) is { } dir)
            {
                args.Add($"--Keyward:DataDirectory={dir.FullName}");
            }

            if (parse.GetValue(listen) is { } address)
            {
                args.Add($"--Keyward:Listen={address}");
            }

            if (parse.GetValue(logFormat) == "json")
            {
                // The console logger's own settings: a settings file or argument may still refine them.
                args.InsertRange(0, ["--Logging:Console:FormatterName=json", "--Logging:Console:FormatterOptions:UseUtcTimestamp=true",
                    "--Logging:Console:FormatterOptions:TimestampFormat=yyyy-MM-ddTHH:mm:ss.fffZ"]);
            }

            var file = parse.GetValue(config);
            if (file is { Exists: false })
            {
                parse.InvocationConfiguration.Error.WriteLine($"{file.FullName} does not exist.");
                return Task.FromResult(2);
            }

            return ServeAsync([.. args], file?.FullName, parse.InvocationConfiguration.Error, ct);
        });
        return serve;
    }

    /// <summary>Runs Keyward until shutdown: 0; 2 with one line per problem when it is misconfigured or its address is taken.</summary>
    public static async Task<int> ServeAsync(string[] args, string? configFile, TextWriter error, CancellationToken ct)
    {
        // Everything that can be checked is checked first, on the host config check builds, which writes nothing:
        // building the real one maps the proxy's routes (which makes the assertion signing key) and Kestrel's options
        // (the data directory's lock and the local CA), so a bad setting found there would leave them behind.
        try
        {
            var check = KeywardHost.BuildForCheck(args, configFile);
            await using (check.ConfigureAwait(false))
            {
                KeywardHost.ValidateConfiguration(check);
                var metrics = check.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
                if ((ListenTaken(check.Services.GetRequiredService<IOptions<KeywardOptions>>().Value.Listen)
                    ?? (metrics.Enabled ? ListenTaken(metrics.Listen, "Keyward:Metrics:Listen (or \"off\")") : null)) is { } taken)
                {
                    await error.WriteLineAsync(taken).ConfigureAwait(false);
                    return 2;
                }
            }
        }
        catch (Exception e) when (ConfigurationProblems.TryDescribe(e, out var lines))
        {
            return Report(error, lines);
        }

        var starting = true;
        WebApplication app;
        try
        {
            // A rule for the host's category alone: a rule without a category would be the last default rule and so
            // replace the configured Logging:LogLevel:Default, logging everything down to Debug. The host logs only
            // Debug (starting, stopping) and Error and up, so Warning keeps all it reports.
            app = KeywardHost.Build(args, configFile, builder =>
            {
                // Information unless configured (below every other source).
                builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = [new("Logging:LogLevel:Default", "Information")] });
                builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Warning && !(Volatile.Read(ref starting) && level >= LogLevel.Error));
            });
        }
        catch (Exception e) when (ConfigurationProblems.TryDescribe(e, out var lines))
        {
            return Report(error, lines);
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                // Every setting and both listen addresses were checked above, on the same configuration; what start
                // still finds (ValidateOnStart) is worded by the catch below, not logged.
                await app.StartAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ConfigurationProblems.TryDescribe(e, out var lines))
            {
                return Report(error, lines);
            }
            catch (IOException e) when (e.InnerException is AddressInUseException)
            {
                var listen = app.Services.GetRequiredService<IOptions<KeywardOptions>>().Value.Listen;
                await error.WriteLineAsync($"{listen} is already in use by another process: stop it, or choose another address with --listen (Keyward:Listen).").ConfigureAwait(false);
                return 2;
            }

            Volatile.Write(ref starting, false);
            await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
            return 0;
        }
    }

    // Binds the listen address for a moment, with the options Kestrel uses; the message when another process holds it.
    private static string? ListenTaken(string listen, string setting = "--listen (Keyward:Listen)")
    {
        var endPoint = ListenAddress.Of(listen);
        using var socket = new System.Net.Sockets.Socket(endPoint.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(endPoint);
            return null;
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            return $"{listen} is already in use by another process: stop it, or choose another address with {setting}.";
        }
    }

    private static int Report(TextWriter error, IReadOnlyList<string> lines)
    {
        foreach (var line in lines)
        {
            error.WriteLine(line);
        }

        return 2;
    }
}
