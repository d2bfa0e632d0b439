using System.Net;
using System.Net.Sockets;
using System.Text;
using Keyward.Agent.Tests.Infrastructure;

namespace Keyward.Agent.Tests;

public sealed class StreamTests
{
    [Fact]
    public async Task TcpForward_AllowedPort_CarriesBytesToTheListenerAndBack()
    {
        using var echo = EchoListener.Start();
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => o with { AllowedPorts = new HashSet<int> { echo.Port } });

        await socket.SendJsonAsync($$"""{"type":"open","stream":7,"session":"s1","kind":"tcp","port":{{echo.Port}}}""");
        Assert.Equal(7u, (await socket.ExpectAsync("opened")).GetProperty("stream").GetUInt32());

        // More than one frame's worth, so the echo comes back in several frames.
        var sent = new byte[200_000];
        new Random(3).NextBytes(sent);
        for (var offset = 0; offset < sent.Length; offset += 50_000)
        {
            await socket.SendDataAsync(7, sent.AsSpan(offset, 50_000));
        }

        var received = new MemoryStream();
        while (received.Length < sent.Length)
        {
            var message = await socket.ReceiveAsync() ?? throw new InvalidOperationException("closed");
            if (message.Json is null)
            {
                Assert.Equal(7u, message.Stream);
                Assert.InRange(message.Payload.Length + 4, 5, 64 * 1024);
                received.Write(message.Payload);
            }
        }

        Assert.Equal(sent, received.ToArray());
        Assert.DoesNotContain(Convert.ToHexString(sent.AsSpan(0, 16)), harness.Log.All, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TcpForward_PortNotOnTheAllowList_IsRefusedAndNeverConnected()
    {
        using var echo = EchoListener.Start();
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => o with { AllowedPorts = new HashSet<int> { echo.Port + 1 } });

        await socket.SendJsonAsync($$"""{"type":"open","stream":7,"session":"s1","kind":"tcp","port":{{echo.Port}}}""");
        var failed = await socket.ExpectAsync("open_failed");

        Assert.Equal("port_not_allowed", failed.GetProperty("code").GetString());
        Assert.Equal(0, echo.Accepted);
    }

    [Fact]
    public async Task TcpForward_AllowedPortWithNothingListening_IsConnectFailed()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => o with { AllowedPorts = new HashSet<int> { port } });

        await socket.SendJsonAsync($$"""{"type":"open","stream":2,"session":"s1","kind":"tcp","port":{{port}}}""");

        Assert.Equal("connect_failed", (await socket.ExpectAsync("open_failed")).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Open_UnknownKind_IsUnsupported()
    {
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync();

        await socket.SendJsonAsync("""{"type":"open","stream":2,"session":"s1","kind":"vnc"}""");

        Assert.Equal("unsupported", (await socket.ExpectAsync("open_failed")).GetProperty("code").GetString());
    }

    [Fact]
    public async Task TcpForward_MachineSideCloses_AgentSendsClose()
    {
        using var echo = EchoListener.Start(closeAfterAccept: true);
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => o with { AllowedPorts = new HashSet<int> { echo.Port } });

        await socket.SendJsonAsync($$"""{"type":"open","stream":4,"session":"s1","kind":"tcp","port":{{echo.Port}}}""");
        await socket.ExpectAsync("opened");

        Assert.Equal(4u, (await socket.ExpectAsync("close")).GetProperty("stream").GetUInt32());
    }

    [Fact]
    public async Task Terminal_RunsALoginShellUnderARealPty_WithoutTheAgentsKeywardSettings()
    {
        Environment.SetEnvironmentVariable("KEYWARD_AGENT_TEST_MARK", "inherited");
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => o with { Terminal = o.Terminal with { Shell = "/bin/sh" } });

        await socket.SendJsonAsync("""{"type":"open","stream":5,"session":"s1","kind":"terminal","cols":100,"rows":30}""");
        await socket.ExpectAsync("opened");
        await socket.SendDataAsync(5, Encoding.UTF8.GetBytes("echo TTY=$(tty) SIZE=$(stty size) MARK=[${KEYWARD_AGENT_TEST_MARK:-unset}]; exit\n"));

        var output = new StringBuilder();
        while (true)
        {
            var message = await socket.ReceiveAsync() ?? throw new InvalidOperationException("closed");
            if (message.Json is { } json)
            {
                Assert.Equal("close", json.GetProperty("type").GetString());
                break;
            }

            output.Append(Encoding.UTF8.GetString(message.Payload));
        }

        Assert.Matches(@"TTY=/dev/pts/\d+", output.ToString());
        Assert.Contains("SIZE=30 100", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("MARK=[unset]", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminal_Resize_SetsThePtySizeTheShellSees()
    {
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => o with { Terminal = o.Terminal with { Shell = "/bin/sh" } });
        await socket.SendJsonAsync("""{"type":"open","stream":5,"session":"s1","kind":"terminal","cols":100,"rows":30}""");
        await socket.ExpectAsync("opened");

        // Applied in the order sent, before the next frame is read: the line after it sees the new size.
        await socket.SendJsonAsync("""{"type":"resize","stream":5,"cols":132,"rows":50}""");
        await socket.SendDataAsync(5, Encoding.UTF8.GetBytes("echo A=$(stty size)=A\n"));
        Assert.Contains("A=50 132=A", await ReadUntilAsync(socket, "=A"), StringComparison.Ordinal);

        await socket.SendJsonAsync("""{"type":"resize","stream":5,"cols":81,"rows":25}""");
        await socket.SendDataAsync(5, Encoding.UTF8.GetBytes("echo B=$(stty size)=B\n"));
        Assert.Contains("B=25 81=B", await ReadUntilAsync(socket, "=B"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"resize","stream":5,"cols":0,"rows":40}""")]
    [InlineData("""{"type":"resize","stream":5,"cols":1001,"rows":40}""")]
    [InlineData("""{"type":"resize","stream":5,"cols":120,"rows":70000}""")]
    [InlineData("""{"type":"resize","stream":5,"cols":-3,"rows":-3}""")]
    [InlineData("""{"type":"resize","stream":5,"cols":"120","rows":"40"}""")]
    [InlineData("""{"type":"resize","stream":5}""")]
    [InlineData("""{"type":"resize","stream":99,"cols":120,"rows":40}""")]
    public async Task Terminal_ResizeOutOfBoundsOrForNoSuchStream_IsIgnoredAndTheSocketStaysOpen(string resize)
    {
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => o with { Terminal = o.Terminal with { Shell = "/bin/sh" } });
        await socket.SendJsonAsync("""{"type":"open","stream":5,"session":"s1","kind":"terminal","cols":100,"rows":30}""");
        await socket.ExpectAsync("opened");

        await socket.SendJsonAsync(resize);
        await socket.SendDataAsync(5, Encoding.UTF8.GetBytes("echo A=$(stty size)=A\n"));

        Assert.Contains("A=30 100=A", await ReadUntilAsync(socket, "=A"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TcpForward_Resize_IsIgnored()
    {
        using var echo = EchoListener.Start();
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => o with { AllowedPorts = new HashSet<int> { echo.Port } });
        await socket.SendJsonAsync($$"""{"type":"open","stream":7,"session":"s1","kind":"tcp","port":{{echo.Port}}}""");
        await socket.ExpectAsync("opened");

        await socket.SendJsonAsync("""{"type":"resize","stream":7,"cols":120,"rows":40}""");
        await socket.SendDataAsync(7, "ping"u8);

        var message = await socket.ReceiveAsync() ?? throw new InvalidOperationException("closed");
        Assert.Equal("ping", Encoding.ASCII.GetString(message.Payload));
        Assert.Contains("not a terminal", harness.Log.All, StringComparison.Ordinal);
    }

    // Terminal output until it holds the marker (the echoed command line holds it too, so the marker ends the value).
    private static async Task<string> ReadUntilAsync(AgentSocket socket, string end)
    {
        var output = new StringBuilder();
        while (!System.Text.RegularExpressions.Regex.IsMatch(output.ToString(), @"[0-9]" + System.Text.RegularExpressions.Regex.Escape(end)))
        {
            var message = await socket.ReceiveAsync() ?? throw new InvalidOperationException("closed");
            if (message.Json is null)
            {
                output.Append(Encoding.UTF8.GetString(message.Payload));
            }
        }

        return output.ToString();
    }

    [Fact]
    public async Task Terminal_ConfiguredUser_RunsThatAccountsLoginShell()
    {
        if (Environment.UserName != "root")
        {
            // Another account's shell needs root (su -l): the command refuses the option up front instead.
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await Keyward.Cli.KeywardCommandLine.RunAsync(["agent", "run", "--terminal-user", "root"], new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
            Assert.Equal(2, code);
            Assert.Contains("needs the agent to run as root", error.ToString(), StringComparison.Ordinal);
            return;
        }

        // As root (CI, the development machines): make an unprivileged account with a shell, then use it.
        const string account = "kwagenttest";
        using (var useradd = System.Diagnostics.Process.Start("useradd", ["--system", "--shell", "/bin/sh", "--no-create-home", account]))
        {
            await useradd.WaitForExitAsync();
            Assert.True(useradd.ExitCode is 0 or 9, $"useradd exited {useradd.ExitCode}"); // 9: the account exists already
        }

        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => o with { Terminal = o.Terminal with { User = account } });

        await socket.SendJsonAsync("""{"type":"open","stream":6,"session":"s1","kind":"terminal","cols":80,"rows":24}""");
        await socket.ExpectAsync("opened");
        await socket.SendDataAsync(6, Encoding.UTF8.GetBytes("echo WHO=$(id -un) UID=$(id -u); exit\n"));
        var screen = new StringBuilder();
        while ((await socket.ReceiveAsync() ?? throw new InvalidOperationException("closed")) is { Json: null } data)
        {
            screen.Append(Encoding.UTF8.GetString(data.Payload));
        }

        Assert.Contains("WHO=" + account, screen.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("UID=0", screen.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A TCP echo server on 127.0.0.1 (or one that hangs up at once).</summary>
    private sealed class EchoListener : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private int _accepted;

        private EchoListener(TcpListener listener) => _listener = listener;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => Volatile.Read(ref _accepted);

        public static EchoListener Start(bool closeAfterAccept = false)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var echo = new EchoListener(listener);
            _ = echo.AcceptLoopAsync(closeAfterAccept);
            return echo;
        }

        private async Task AcceptLoopAsync(bool closeAfterAccept)
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _accepted);
                    if (closeAfterAccept)
                    {
                        client.Dispose();
                        continue;
                    }

                    _ = Task.Run(async () =>
                    {
                        using (client)
                        {
                            var stream = client.GetStream();
                            await stream.CopyToAsync(stream, _stop.Token);
                        }
                    });
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
