using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Keyward.Core.Audit;
using Keyward.Core.Credentials;
using Keyward.Server.WebSockets;
using Keyward.WebSockets.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Keyward.WebSockets.Tests;

/// <summary>
/// The internal credential: minted on first use, handed only to children Keyward spawns (through their environment),
/// accepted only from loopback on routes marked Internal, refused before minting, and never in a response, a log
/// line or a file. The children are real processes: bash speaking HTTP/1.1 and one WebSocket frame over /dev/tcp.
/// </summary>
public sealed class InternalCredentialTests : IAsyncLifetime
{
    // An upgrade with the credential from the child's environment, then one masked text frame "hello-child"
    // (mask key 01 01 01 01), then whatever comes back for two seconds.
    // The child connects by address but names Keyward's public host (localhost), as the Host allow-list requires.
    private const string ChildScript = """
        exec 3<>"/dev/tcp/$KW_HOST/$KW_PORT" || exit 90
        printf 'GET %s HTTP/1.1\r\nHost: localhost:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer %s\r\n\r\n' "$KW_PATH" "$KW_PORT" "$KEYWARD_INTERNAL_CREDENTIAL" >&3
        printf '\x81\x8b\x01\x01\x01\x01idmmn,bihme' >&3
        timeout 2 cat <&3
        exit 0
        """;

    private EchoUpstream _upstream = null!;
    private KeywardServer _server = null!;

    private InternalCredential Credential => _server.Get<InternalCredential>();

    private ChildProcessLauncher Launcher => _server.Get<ChildProcessLauncher>();

    public async Task InitializeAsync()
    {
        _upstream = await EchoUpstream.StartAsync();
        _server = await KeywardServer.StartAsync(_upstream);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task BeforeMinting_AnyValueIsRefused()
    {
        Assert.False(Credential.IsMinted);
        var guess = SecretToken.Generate(CredentialKind.Internal);
        Assert.False(Credential.Verify(guess));
        var probe = await _server.Admin!.ProbeUpgradeAsync("/ws/internal/x", origin: null, configure: r => r.Headers.Authorization = new("Bearer", guess));
        Assert.Equal((401, "internal_credential_invalid"), (probe.StatusCode, probe.Code));
        await _server.FlushRefusalsAsync();
        Assert.Contains(_server.Audit.Counted("internal_credential_invalid"), r => r.Details["targets"].StartsWith(AuditActions.InternalCredentialRefused, StringComparison.Ordinal));
        Assert.False(Credential.IsMinted);
        Assert.Equal(0, _upstream.Accepted);
    }

    [Fact]
    public async Task SpawnedChildOverLoopback_IsAcceptedOnInternalRoute()
    {
        var output = await RunChildAsync(Launcher.Prepare(Bash("127.0.0.1", _server.Port, "/ws/internal/agent")));
        Assert.Contains("HTTP/1.1 101", output, StringComparison.Ordinal);
        Assert.Contains("hello-child", output, StringComparison.Ordinal);
        Assert.True(Credential.IsMinted);

        var handshake = Assert.Single(_upstream.Handshakes);
        Assert.Equal((TestRoutes.Internal, "keyward-internal"), (handshake.Claims.GetProperty("aud").GetString(), handshake.Claims.GetProperty("name").GetString()));
        Assert.Contains(_server.Audit.Where(AuditActions.WebSocketOpened), r => r.Actor == "system" && r.Details["via"] == "internal");

        // Keyward's own environment never holds it; only the child's did.
        Assert.Null(Environment.GetEnvironmentVariable(InternalCredential.EnvironmentVariable));
    }

    [Fact]
    public async Task SpawnedChild_OnRouteNotMarkedInternal_IsRefused()
    {
        var output = await RunChildAsync(Launcher.Prepare(Bash("127.0.0.1", _server.Port, "/ws/echo/agent")));
        Assert.Contains("HTTP/1.1 403", output, StringComparison.Ordinal);
        Assert.Contains("internal_credential_wrong_route", output, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/1.1 101", output, StringComparison.Ordinal);
        Assert.Equal(0, _upstream.Accepted);
    }

    [Fact]
    public async Task WrongValueAfterMinting_IsRefused()
    {
        _ = Launcher.Prepare(new ProcessStartInfo("true"));
        Assert.True(Credential.IsMinted);
        var probe = await _server.Admin!.ProbeUpgradeAsync("/ws/internal/x", origin: null, configure: r => r.Headers.Authorization = new("Bearer", SecretToken.Generate(CredentialKind.Internal)));
        Assert.Equal((401, "internal_credential_invalid"), (probe.StatusCode, probe.Code));
        probe = await _server.Admin!.ProbeUpgradeAsync("/ws/internal/x", origin: null, configure: r => r.Headers.Authorization = new("Bearer", "kwn_short"));
        Assert.Equal((401, "internal_credential_invalid"), (probe.StatusCode, probe.Code));
    }

    [Fact]
    public async Task FromNonLoopbackAddress_IsRefused()
    {
        // Keyward also listens inside a namespace of the test's own; the child connects there from 10.253.0.x.
        using var ns = NetworkNamespace.Create();
        var port = 18443;
        var handle = ns.Listen(port);
        await using var server = await KeywardServer.StartAsync(_upstream, configure: builder => builder.WebHost.ConfigureKestrel(k => k.ListenHandle(handle)));
        var launcher = server.Get<ChildProcessLauncher>();

        var info = ns.Exec("bash", "-c", ChildScript);
        SetTarget(info, NetworkNamespace.ServerAddress, port, "/ws/internal/agent");
        var output = await RunChildAsync(launcher.Prepare(info));
        Assert.Contains("HTTP/1.1 403", output, StringComparison.Ordinal);
        Assert.Contains("internal_credential_not_loopback", output, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/1.1 101", output, StringComparison.Ordinal);
        await server.FlushRefusalsAsync();
        var refused = Assert.Single(server.Audit.Counted("internal_credential_not_loopback"));
        Assert.StartsWith(AuditActions.InternalCredentialRefused, refused.Details["targets"], StringComparison.Ordinal);
        Assert.StartsWith("10.253.0.", refused.ClientAddress, StringComparison.Ordinal);

        // The same credential from the same child program over loopback is accepted: only the address differs.
        output = await RunChildAsync(launcher.Prepare(Bash("127.0.0.1", server.Port, "/ws/internal/agent")));
        Assert.Contains("HTTP/1.1 101", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credential_NeverInAResponseALogLineOrAFile()
    {
        var outputs = new List<string>
        {
            await RunChildAsync(Launcher.Prepare(Bash("127.0.0.1", _server.Port, "/ws/internal/agent"))),
            await RunChildAsync(Launcher.Prepare(Bash("127.0.0.1", _server.Port, "/ws/echo/agent"))),
        };
        var api = _server.Admin!;
        var session = await api.LoginAsync();
        using (var socket = await api.OpenAsync(session))
        {
            await socket.AssertEchoAsync("a person's socket");
        }

        (await api.SendAsync(HttpMethod.Post, "/session/status", new JsonObject(), session.Token)).EnsureSuccess();
        var value = Credential.GetOrMint();

        Assert.DoesNotContain(outputs.Concat(api.Bodies), body => body.Contains(value, StringComparison.Ordinal));
        await Task.Delay(200);
        Assert.NotEmpty(_server.Logs.Lines);
        Assert.Empty(_server.Logs.Containing(value));
        Assert.Empty(_server.Logs.Containing(value[..12]));

        // Tickets are secrets too: the request log that would carry ?ticket=… is held at Warning.
        Assert.Empty(_server.Logs.Containing("ticket=kwt_"));
        var bytes = Encoding.ASCII.GetBytes(value);
        // keyward.lock is empty and held exclusively by the running Keyward (one per data directory): it cannot be read, nor hold anything.
        foreach (var file in Directory.EnumerateFiles(_server.DataDirectory, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "keyward.lock"))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(bytes) < 0, $"{file} holds the internal credential");
        }
    }

    private static ProcessStartInfo Bash(string host, int port, string path)
    {
        var info = new ProcessStartInfo("bash");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ChildScript);
        SetTarget(info, host, port, path);
        return info;
    }

    private static void SetTarget(ProcessStartInfo info, string host, int port, string path)
    {
        info.Environment["KW_HOST"] = host;
        info.Environment["KW_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["KW_PATH"] = path;
    }

    private static async Task<string> RunChildAsync(ProcessStartInfo info)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var child = Process.Start(info)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await child.WaitForExitAsync(timeout.Token);
        return await stdout + await stderr;
    }
}
