using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Keyward.Agent.Runtime;
using Keyward.Authenticator;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Microsoft.Data.Sqlite;

namespace Keyward.Cli.Tests.Support;

/// <summary>
/// Round 2's client commands against a real Keyward (issue 11): <c>keyward connect</c> (a local listener whose
/// connections each open a viewer socket with a fresh join token, never printed), <c>keyward shell</c> piped and on a
/// terminal that is resized (SIGWINCH to the machine's PTY), the ad-hoc agent's refused support code, and the admin's
/// <c>agent token create</c> / <c>agent machines</c>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes the folder.")]
public sealed class ViewerCommandTests : IAsyncLifetime
{
    private const string Passphrase = "correct horse battery staple";
    private readonly TempDirectory _folder = new("keyward-cli-viewer-");
    private KeywardTestHost? _host;

    private KeywardTestHost Host => _host ?? throw new InvalidOperationException("Not started.");

    private string KeyFile => _folder.Combine("key.json");

    private string TokenFile => _folder.Combine("config", "session");

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("KEYWARD_KEY_PASSPHRASE", Passphrase);
        _host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions { Transport = KeywardTransport.Kestrel, DataDirectory = _folder.Combine("data") });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task Connect_ShowsWaiting_AndStopsWithASentenceWhenTheSessionEnds_WithoutPrintingAJoinToken()
    {
        await LoginAdminAsync();
        var id = await OpenAdHocAsync();
        var port = Keyward.Client.FreePort.Next();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var (syncOut, syncError) = (TextWriter.Synchronized(output), TextWriter.Synchronized(error));
        var connect = KeywardCommandLine.RunAsync(
            ["connect", id, "--forward", $"{port}:22", "--key", KeyFile, "--token-file", TokenFile],
            new InvocationConfiguration { Output = syncOut, Error = syncError });

        await Until(() => syncOut.ToString()!.Contains("Forwarding", StringComparison.Ordinal) || connect.IsCompleted);
        Assert.False(connect.IsCompleted, error.ToString());
        using var local = new TcpClient();
        await local.ConnectAsync(IPAddress.Loopback, port);
        await Until(() => error.ToString().Contains("Waiting for the machine's agent", StringComparison.Ordinal) || connect.IsCompleted);

        var ended = await Broker.CommandLineRun.RunAsync(["support", "end", id, "--token-file", TokenFile]);
        Assert.True(ended.Code == 0, ended.Error);

        Assert.Equal(1, await connect);
        Assert.Contains("Waiting for the machine's agent to connect", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("The support session ended", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("kwj_", output.ToString() + error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await local.GetStream().ReadAsync(new byte[16]));
    }

    [Fact]
    public async Task Connect_ThroughAnAdHocAgentBoundWithTheCode_EchoesEndToEnd_AndTheAgentStopsWhenTheSessionEnds()
    {
        await LoginAdminAsync();
        var opened = await Broker.CommandLineRun.RunAsync(["support", "open", "--ad-hoc", "--reason", "printer jam", "--json", "--token-file", TokenFile]);
        Assert.True(opened.Code == 0, opened.Error);
        using var json = System.Text.Json.JsonDocument.Parse(opened.Output);
        var id = json.RootElement.GetProperty("id").GetString()!;
        var code = json.RootElement.GetProperty("support_code").GetString()!;

        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        var echoPort = ((IPEndPoint)echo.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            using var peer = await echo.AcceptTcpClientAsync();
            var stream = peer.GetStream();
            var buffer = new byte[4096];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, n));
            }
        });
        using var stopAgent = new CancellationTokenSource();
        var agent = Task.Run(() => new AgentRuntime(new AgentRuntimeOptions
        {
            AdHoc = new AdHocConnection(new Uri(Host.Origin), Host.CaFile, code),
            AllowedPorts = new HashSet<int> { echoPort },
            Consent = (_, _) => Task.FromResult(true),
        }).RunAsync(stopAgent.Token));

        var port = Keyward.Client.FreePort.Next();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var (syncOut, syncError) = (TextWriter.Synchronized(output), TextWriter.Synchronized(error));
        var connect = KeywardCommandLine.RunAsync(
            ["connect", id, "--forward", $"{port}:{echoPort}", "--key", KeyFile, "--token-file", TokenFile],
            new InvocationConfiguration { Output = syncOut, Error = syncError });
        await Until(() => syncOut.ToString()!.Contains("Forwarding", StringComparison.Ordinal) || connect.IsCompleted);
        Assert.False(connect.IsCompleted, error.ToString());

        using var local = new TcpClient();
        await local.ConnectAsync(IPAddress.Loopback, port);
        var sent = "ping through Keyward"u8.ToArray();
        await local.GetStream().WriteAsync(sent);
        var got = new byte[sent.Length];
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await local.GetStream().ReadExactlyAsync(got, bound.Token);
        }

        Assert.Equal(sent, got);
        var ended = await Broker.CommandLineRun.RunAsync(["support", "end", id, "--token-file", TokenFile]);
        Assert.True(ended.Code == 0, ended.Error);
        Assert.Equal(1, await connect);
        Assert.Equal(AgentStopReason.SessionEnded, await agent);
        Assert.DoesNotContain("kwj_", output.ToString() + error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shell_PipedInput_RunsOnTheMachineThroughAnAdHocAgent_AndEnds()
    {
        await LoginAdminAsync();
        var opened = await Broker.CommandLineRun.RunAsync(["support", "open", "--ad-hoc", "--reason", "printer jam", "--json", "--token-file", TokenFile]);
        Assert.True(opened.Code == 0, opened.Error);
        using var json = System.Text.Json.JsonDocument.Parse(opened.Output);
        var id = json.RootElement.GetProperty("id").GetString()!;
        var code = json.RootElement.GetProperty("support_code").GetString()!;
        using var stopAgent = new CancellationTokenSource();
        var agent = Task.Run(() => new AgentRuntime(new AgentRuntimeOptions
        {
            AdHoc = new AdHocConnection(new Uri(Host.Origin), Host.CaFile, code),
            Consent = (_, _) => Task.FromResult(true),
        }).RunAsync(stopAgent.Token));

        // A real process, so its standard input is a pipe: the shell runs the line, then Ctrl+D ends it.
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "keyward.dll"), "shell", id, "--key", KeyFile, "--token-file", TokenFile })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KEYWARD_KEY_PASSPHRASE"] = Passphrase;
        using var shell = System.Diagnostics.Process.Start(start)!;
        await shell.StandardInput.WriteAsync("echo kw-marker-$((6*7))\n");
        shell.StandardInput.Close();
        var stdout = shell.StandardOutput.ReadToEndAsync();
        var stderr = shell.StandardError.ReadToEndAsync();
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(40)))
        {
            try
            {
                await shell.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                shell.Kill(entireProcessTree: true);
                await shell.WaitForExitAsync();
                Assert.Fail("shell did not end; out: " + await stdout + " err: " + await stderr);
            }
        }

        Assert.True(shell.ExitCode == 0, await stderr);
        Assert.Contains("kw-marker-42", await stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("kwj_", await stdout + await stderr, StringComparison.Ordinal);
        await stopAgent.CancelAsync();
        await agent;
    }

    [Fact]
    public async Task Shell_OnATerminalThatIsResized_SendsTheNewSizeWhichTheMachinesPtyTakes()
    {
        await LoginAdminAsync();
        var opened = await Broker.CommandLineRun.RunAsync(["support", "open", "--ad-hoc", "--reason", "printer jam", "--json", "--token-file", TokenFile]);
        Assert.True(opened.Code == 0, opened.Error);
        using var json = System.Text.Json.JsonDocument.Parse(opened.Output);
        var id = json.RootElement.GetProperty("id").GetString()!;
        var code = json.RootElement.GetProperty("support_code").GetString()!;
        using var stopAgent = new CancellationTokenSource();
        var agent = Task.Run(() => new AgentRuntime(new AgentRuntimeOptions
        {
            AdHoc = new AdHocConnection(new Uri(Host.Origin), Host.CaFile, code),
            Consent = (_, _) => Task.FromResult(true),
        }).RunAsync(stopAgent.Token));

        // keyward shell on a terminal of its own: util-linux script gives it a PTY of 80x24 (the technician's window).
        var command = string.Join(' ', new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "keyward.dll"), "shell", id, "--key", KeyFile, "--token-file", TokenFile }.Select(a => "'" + a + "'"));
        var start = new System.Diagnostics.ProcessStartInfo("script") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-q", "-f", "-e", "-c", "stty cols 80 rows 24; exec " + command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KEYWARD_KEY_PASSPHRASE"] = Passphrase;
        using var window = System.Diagnostics.Process.Start(start)!;
        var screen = new System.Text.StringBuilder();
        var reading = ReadAllAsync(window.StandardOutput, screen);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            // The machine's shell starts at the technician's size.
            await TypeUntilAsync(window, screen, "echo A=$(stty size)=A\r", "A=24 80=A", bound.Token);

            // The technician resizes the window: the kernel sends keyward SIGWINCH, it sends resize, the agent sizes its
            // PTY. (The resize and the next line travel apart, so the line is typed again until the new size shows.)
            Assert.Equal(0, await RunAsync("stty", "-F", $"/dev/pts/{TtyIndex(window.Id)}", "cols", "132", "rows", "43"));
            await TypeUntilAsync(window, screen, "echo B=$(stty size)=B\r", "B=43 132=B", bound.Token);

            await window.StandardInput.WriteAsync("exit\r");
            await window.StandardInput.FlushAsync();
            await window.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            window.Kill(entireProcessTree: true);
            Assert.Fail("shell did not show the size; screen: " + screen);
        }

        await reading;
        Assert.Equal(0, window.ExitCode);
        await stopAgent.CancelAsync();
        await agent;
    }

    // Types the line (again, up to 40 times) until the screen shows what is expected.
    private static async Task TypeUntilAsync(System.Diagnostics.Process window, System.Text.StringBuilder screen, string line, string expected, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            await window.StandardInput.WriteAsync(line);
            await window.StandardInput.FlushAsync(cancellationToken);
            for (var wait = 0; wait < 10; wait++)
            {
                lock (screen)
                {
                    if (screen.ToString().Contains(expected, StringComparison.Ordinal))
                    {
                        return;
                    }
                }

                await Task.Delay(100, cancellationToken);
            }
        }

        Assert.Fail($"never saw {expected}; screen: {screen}");
    }

    private static async Task ReadAllAsync(StreamReader output, System.Text.StringBuilder screen)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await output.ReadAsync(buffer)) > 0)
        {
            lock (screen)
            {
                screen.Append(buffer, 0, read);
            }
        }
    }

    // The /dev/pts number of the PTY script made (its /dev/ptmx's tty-index).
    private static int TtyIndex(int scriptPid)
    {
        foreach (var info in Directory.GetFiles($"/proc/{scriptPid}/fdinfo"))
        {
            var index = File.ReadLines(info).FirstOrDefault(l => l.StartsWith("tty-index:", StringComparison.Ordinal));
            if (index is not null)
            {
                return int.Parse(index["tty-index:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("script holds no PTY master");
    }

    private static async Task<int> RunAsync(string file, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(file, arguments);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    [Fact]
    public async Task Connect_NotOpenSession_IsRefusedBeforeListening()
    {
        await LoginAdminAsync();
        var port = Keyward.Client.FreePort.Next();

        var run = await Broker.CommandLineRun.RunAsync(["connect", Guid.NewGuid().ToString(), "--forward", $"{port}:22", "--token-file", TokenFile]);

        Assert.Equal(1, run.Code);
        Assert.Contains("is not open", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentRun_WrongSupportCode_StopsAtOnceWithExit3()
    {
        var run = await Broker.CommandLineRun.RunAsync(["agent", "run", "--server", Host.Origin, "--cacert", Host.CaFile, "--support-code", "0000-0000-0000", "--consent", "deny"]);

        Assert.Equal(3, run.Code);
        Assert.Contains("refused the support code", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentRun_SupportCodeWithoutServer_IsAUsageError()
    {
        var run = await Broker.CommandLineRun.RunAsync(["agent", "run", "--support-code", "0000-0000-0000"]);

        Assert.Equal(2, run.Code);
        Assert.Contains("--server", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentTokenCreate_PrintsAnEnrollToken_MachinesListAndRevokeAnswer()
    {
        await LoginAdminAsync();

        var created = await Broker.CommandLineRun.RunAsync(["agent", "token", "create", "--label", "printer-pc", "--policy", "unattended", "--joiner-role", "user", "--json", "--key", KeyFile, "--token-file", TokenFile]);
        Assert.True(created.Code == 0, created.Error);
        using var json = System.Text.Json.JsonDocument.Parse(created.Output);
        Assert.StartsWith("kwe_", json.RootElement.GetProperty("enroll_token").GetString(), StringComparison.Ordinal);
        Assert.Equal("unattended", json.RootElement.GetProperty("policy").GetString());

        var listed = await Broker.CommandLineRun.RunAsync(["agent", "machines", "list", "--token-file", TokenFile]);
        Assert.True(listed.Code == 0, listed.Error);

        var revoked = await Broker.CommandLineRun.RunAsync(["agent", "machines", "revoke", Guid.NewGuid().ToString(), "--key", KeyFile, "--token-file", TokenFile]);
        Assert.Equal(1, revoked.Code);
        Assert.Contains("machine_not_found", revoked.Error, StringComparison.Ordinal);
    }

    private async Task<string> OpenAdHocAsync()
    {
        var opened = await Broker.CommandLineRun.RunAsync(["support", "open", "--ad-hoc", "--reason", "printer jam", "--json", "--token-file", TokenFile]);
        Assert.True(opened.Code == 0, opened.Error);
        using var json = System.Text.Json.JsonDocument.Parse(opened.Output);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    // Waits for a condition the command under test brings about (no timing is asserted; the bound only keeps a broken run from hanging).
    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }

    private async Task LoginAdminAsync()
    {
        var key = VirtualAuthenticator.Create();
        using (var client = new KeywardTestClient(Host, key))
        {
            await client.RegisterAdminAsync(Host.SetupCode!);
        }

        key.Save(KeyFile, Passphrase);
        var login = await Broker.CommandLineRun.RunAsync(["login", "--username", "admin", "--server", Host.Origin, "--cacert", Host.CaFile, "--key", KeyFile, "--token-file", TokenFile]);
        Assert.True(login.Code == 0, login.Error);
    }
}
