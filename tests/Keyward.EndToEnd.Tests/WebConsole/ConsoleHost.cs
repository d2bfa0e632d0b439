using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.Agent.Enrollment;
using Keyward.Agent.Runtime;
using Keyward.Core.Accounts;
using Keyward.Core.Agents;
using Keyward.Core.Storage;
using Keyward.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.EndToEnd.Tests.WebConsole;

/// <summary>
/// Keyward on a real Kestrel at http://localhost:port (Development, DangerousAllowHttp: Chromium treats localhost as a
/// secure context, so WebAuthn runs without a certificate to trust) with a fresh data directory, and agents run in
/// this process with the Keyward.Agent library: enrolled with a real enroll token, connected over the agent plane.
/// </summary>
internal sealed class ConsoleHost : IAsyncDisposable
{
    private readonly KeywardTestHost _host;
    private readonly TempDirectory _agents = new("keyward-console-agents-");
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];

    private ConsoleHost(KeywardTestHost host, string setupCode)
    {
        _host = host;
        SetupCode = setupCode;
    }

    /// <summary>http://localhost:port, Keyward's public origin and WebAuthn origin.</summary>
    public string Origin => _host.Origin;

    /// <summary>The first-start setup code.</summary>
    public string SetupCode { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>The data directory (its <c>keyward.db</c> is the SQLite store).</summary>
    public string DataDirectory => _host.DataDirectory;

    /// <summary>The host, for a test client of its own (another person with a virtual key).</summary>
    public KeywardTestHost Host => _host;

    /// <summary>Starts Keyward; <paramref name="settings"/> adds configuration such as routes.</summary>
    public static async Task<ConsoleHost> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            Https = false,
            Settings = settings ?? new Dictionary<string, string>(),
        });
        if (host.SetupCode is not { } code)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException("A fresh data directory should have produced a setup code.");
        }

        return new ConsoleHost(host, code);
    }

    /// <summary>
    /// Enrolls a machine (the way <c>keyward agent enroll</c> does, with a token an admin would create) and runs its
    /// agent until the host is disposed; returns once Keyward sees it online. <paramref name="consent"/> is the person
    /// at the machine.
    /// </summary>
    public Task<Guid> RunAgentAsync(string label, string policy, bool consent) => RunAgentAsync(label, policy, (_, _) => Task.FromResult(consent));

    /// <inheritdoc cref="RunAgentAsync(string, string, bool)"/>
    public async Task<Guid> RunAgentAsync(string label, string policy, Func<ConsentRequest, CancellationToken, Task<bool>> consent)
    {
        var (token, _) = await Services.GetRequiredService<EnrollmentService>().CreateAsync(
            label, policy, Joiners.AdminsOnly, TimeSpan.FromHours(1), null, Tenants.Default, Guid.NewGuid());

        // Over plain http the pinned CA is never used, but enrollment still wants one to copy: a throwaway.
        var ca = _agents.Combine($"{label}-ca.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            using var certificate = new CertificateRequest("CN=unused", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(ca, certificate.ExportCertificatePem());
        }

        var enrolled = await AgentEnrollment.EnrollAsync(_host.BaseAddress, ca, token, _agents.Combine(label));
        if (!enrolled.Succeeded)
        {
            throw new InvalidOperationException($"Enrollment failed: {enrolled.Code} {enrolled.Detail}");
        }

        var machineId = Guid.Parse(enrolled.State!.MachineId);
        var options = new AgentRuntimeOptions
        {
            StateDirectory = enrolled.State.Directory,
            Consent = consent,
            Terminal = new TerminalOptions { Shell = "/bin/sh" },
            Backoff = new BackoffOptions { Initial = TimeSpan.FromMilliseconds(50), Max = TimeSpan.FromMilliseconds(500) },
        };
        var connected = new ConnectedSignal();
        _running.Add(Task.Run(() => new AgentRuntime(options with { Logger = connected }).RunAsync(_stop.Token)));

        // The agent logs Connected once Keyward said hello, which it does after listing the link as online.
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return machineId;
    }

    /// <summary>An invite for a new account (what an admin makes with POST /api/admin/invites).</summary>
    public async Task<string> InviteAsync(string name, string role)
    {
        var (token, _) = await Services.GetRequiredService<AccountService>().CreateInviteAsync(name, role, null, TimeSpan.FromHours(1));
        return token;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
        await _host.DisposeAsync();
        _agents.Dispose();
        _stop.Dispose();
    }

    /// <summary>Completes when the agent logs that it is connected; keeps nothing else.</summary>
    private sealed class ConnectedSignal : ILogger
    {
        private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Task => _connected.Task;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The generator names the event after its method (AgentLog.Connected; AgentEventIds is internal to the agent).
            if (eventId.Name == "Connected")
            {
                _connected.TrySetResult();
            }
        }
    }
}
