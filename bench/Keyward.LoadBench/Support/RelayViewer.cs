using System.Diagnostics;
using System.Globalization;
using Keyward.Client;

namespace Keyward.LoadBench.Support;

/// <summary>
/// The relay mode's viewer (what <c>keyward connect --forward</c> runs on the technician's computer), in its own
/// process, so that the bench process's CPU holds Keyward's and not the viewer's: a <see cref="ForwardListener"/> with
/// the CLI's <see cref="Keyward.Cli.Support.ViewerSocket"/>, trusting Keyward's CA only. The parent mints a join token
/// with the technician's session for each connection and hands it over on the child's stdin (one line each, before it
/// connects); the child (<c>--mode relay-viewer</c>, the same binary) prints its port on stdout, reports a viewer that
/// did not end normally on stderr, and stops when its stdin closes.
/// </summary>
internal sealed class RelayViewer : IDisposable
{
    private readonly Process _process;

    private RelayViewer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The forward's local port.</summary>
    public int Port { get; }

    /// <summary>CPU the viewer's process has used so far.</summary>
    public TimeSpan Cpu
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<RelayViewer> StartAsync(Uri viewerUri, string caFile, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(RelayViewer).Assembly.Location);
        }

        foreach (var a in new[] { "--mode", SupportModes.RelayViewer, "--viewer-url", viewerUri.ToString(), "--viewer-ca", caFile })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the viewer process did not start");
        var line = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        if (!int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new InvalidOperationException($"the viewer process did not say its port (it said: {line ?? "nothing"})");
        }

        return new RelayViewer(process, port);
    }

    /// <summary>Hands the viewer the join token for its next connection.</summary>
    public async Task GrantAsync(string joinToken)
    {
        await _process.StandardInput.WriteLineAsync(joinToken);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The child's side: forwards until stdin closes.</summary>
    public static async Task<int> RunAsync(string? viewerUrl, string? caFile, CancellationToken cancellationToken)
    {
        if (viewerUrl is null || caFile is null)
        {
            await Console.Error.WriteLineAsync("--mode relay-viewer needs --viewer-url and --viewer-ca (it is started by --mode relay).");
            return 2;
        }

        var handler = new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false };
        HostResolution.Default.Apply(handler);
        handler.SslOptions.RemoteCertificateValidationCallback = CaTrust.Only(caFile);
        using var sockets = new HttpMessageInvoker(handler);
        var tokens = System.Threading.Channels.Channel.CreateUnbounded<string>();
        var reading = Task.Run(async () =>
        {
            // One token per connection, in the order the connections take them; stdin closing stops the child.
            while (await Console.In.ReadLineAsync(CancellationToken.None) is { Length: > 0 } token)
            {
                tokens.Writer.TryWrite(token);
            }

            tokens.Writer.TryComplete();
        }, CancellationToken.None);

        using var forward = new ForwardListener(ct => tokens.Reader.ReadAsync(ct).AsTask(), new Uri(viewerUrl), sockets)
        {
            Problem = problem => Console.Error.WriteLine("viewer: " + problem),
        };
        Console.Out.WriteLine(forward.Port.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
        await reading.WaitAsync(cancellationToken);
        return 0;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(30_000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
