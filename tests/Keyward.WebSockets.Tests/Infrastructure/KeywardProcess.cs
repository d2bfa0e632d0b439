using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Keyward.Client;

namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>
/// Keyward as a separate process (this assembly's <see cref="Program"/>), over http on 127.0.0.1, sharing a data
/// directory with others: the multi-node case on one SQLite database.
/// </summary>
internal sealed partial class KeywardProcess : IKeywardEndpoint, IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private KeywardProcess(Process process, int port, string origin)
    {
        _process = process;
        Port = port;
        Origin = origin;
    }

    public int Port { get; }

    public string Origin { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public Uri WebSocketBase => new($"ws://127.0.0.1:{Port}");

    /// <summary>Plain http: nothing to trust.</summary>
    public HttpMessageHandler CreateHandler() => new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false };

    public void ConfigureWebSocket(ClientWebSocketOptions options)
    {
    }

    /// <summary>The setup code it printed, when it issued one.</summary>
    public string? SetupCode { get; private set; }

    /// <summary>
    /// Starts Keyward on a free port with <paramref name="origin"/> as its public origin (every node of a deployment
    /// has the same one) and the test routes; returns once it answers /healthz.
    /// </summary>
    public static async Task<KeywardProcess> StartAsync(string dataDirectory, string origin, EchoUpstream upstream, IEnumerable<string>? extraArguments = null)
    {
        var port = FreePort.Next();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            typeof(Program).Assembly.Location,
            "keyward",
            $"--Keyward:DataDirectory={dataDirectory}",
            $"--Keyward:Listen=http://127.0.0.1:{port}",
            $"--Keyward:PublicOrigin={origin}",
            "--Keyward:DangerousAllowHttp=true",
            "--Keyward:Metrics:Listen=off",
            "--environment", "Development",
        }.Concat(TestRoutes.Arguments(upstream.Address, origin)).Concat(extraArguments ?? []))
        {
            info.ArgumentList.Add(arg);
        }

        var process = new KeywardProcess(Process.Start(info)!, port, origin);
        process._process.OutputDataReceived += (_, e) => process.Record(e.Data);
        process._process.ErrorDataReceived += (_, e) => process.Record(e.Data);
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        try
        {
            await process.WaitHealthyAsync();
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("Keyward exited: " + string.Join(" | ", Output()));
            }

            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    // Printed before Kestrel listens, so it is there once /healthz answers.
                    SetupCode = Output().Select(l => SetupCodePattern().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value;
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("Keyward did not answer /healthz within 60 s: " + string.Join(" | ", Output()));
    }

    private List<string> Output()
    {
        lock (_output)
        {
            return [.. _output];
        }
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    [GeneratedRegex(@"setup code ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")]
    private static partial Regex SetupCodePattern();
}
