using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Keyward.Agent.Enrollment;
using Keyward.Core.Agents;
using Keyward.Core.Storage;
using Keyward.LoadBench.Hosting;
using Keyward.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.LoadBench.Support;

/// <summary>
/// Keyward on Kestrel (TLS from its local CA, SQLite on tmpfs when there is one, logging at Warning) in this process,
/// with a registered admin signed in and stepped up, for the remote-support modes. Machines are enrolled through
/// Keyward's own <see cref="EnrollmentService"/> (an enroll token made and consumed in-process: the enroll API minus
/// HTTP) or through the agent library's <see cref="AgentEnrollment"/> when a real agent will run.
/// </summary>
internal sealed class SupportBed : IAsyncDisposable
{
    private readonly string _directory;
    private KeywardTestHost? _keyward;
    private KeywardTestClient? _client;
    private HttpMessageInvoker? _sockets;

    private SupportBed(string directory) => _directory = directory;

    public KeywardTestHost Keyward => _keyward ?? throw new InvalidOperationException("The bed is not started.");

    /// <summary>The admin's client (its own virtual key).</summary>
    public KeywardTestClient Client => _client ?? throw new InvalidOperationException("The bed is not started.");

    /// <summary>An invoker for viewer sockets that trusts Keyward's CA only.</summary>
    public HttpMessageInvoker Sockets => _sockets ?? throw new InvalidOperationException("The bed is not started.");

    public string DataDirectory => _directory;

    public static async Task<SupportBed> StartAsync(TextWriter log, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var bed = new SupportBed(Path.Combine(TestBed.Root, "keyward-supportbench-" + Guid.NewGuid().ToString("N")[..8]));
        try
        {
            Directory.CreateDirectory(bed._directory);
            bed._keyward = await KeywardTestHost.StartAsync(
                new KeywardTestHostOptions
                {
                    Transport = KeywardTransport.Kestrel,
                    DataDirectory = bed._directory,
                    Settings = settings,
                    Logging = logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning),
                },
                cancellationToken);
            bed._client = bed._keyward.CreateClient();
            await bed._client.RegisterAdminAsync(bed._keyward.SetupCode ?? throw new InvalidOperationException("Keyward issued no setup code in a fresh data directory."));
            bed._sockets = new HttpMessageInvoker(bed._keyward.CreateHandler());
            log.WriteLine($"Keyward on {bed._keyward.Port}, state in {bed._directory}");
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new admin session, stepped up for the admin API (machine revocation).</summary>
    public async Task<TestSession> AdminAsync()
    {
        var admin = await Client.LoginAsync("admin");
        await Client.StepUpAsync(admin.Token, "admin");
        return admin;
    }

    /// <summary>Enrolls a machine in-process: its id and agent key.</summary>
    public async Task<(Guid Machine, string Key)> EnrollKeyAsync(string label, CancellationToken cancellationToken)
    {
        var enrollment = Keyward.GetRequiredService<EnrollmentService>();
        var (token, _) = await enrollment.CreateAsync(label, AgentPolicies.Attended, Joiners.AdminsOnly, TimeSpan.FromHours(1), null, Tenants.Default, Guid.NewGuid(), cancellationToken);
        var enrolled = await enrollment.EnrollAsync(token, "bench", "bench", cancellationToken);
        return enrolled is { Machine: { } machine, AgentKey: { } key }
            ? (machine.Id, key)
            : throw new InvalidOperationException($"enrollment failed: {enrolled.Failure}");
    }

    /// <summary>Enrolls a machine the way <c>keyward agent enroll</c> does (the agent library over HTTPS): its state directory.</summary>
    public async Task<AgentState> EnrollAgentAsync(string label, CancellationToken cancellationToken)
    {
        var (token, _) = await Keyward.GetRequiredService<EnrollmentService>()
            .CreateAsync(label, AgentPolicies.Attended, Joiners.AdminsOnly, TimeSpan.FromHours(1), null, Tenants.Default, Guid.NewGuid(), cancellationToken);
        var result = await AgentEnrollment.EnrollAsync(Keyward.BaseAddress, Keyward.CaFile, token, Path.Combine(_directory, "agent-" + Guid.NewGuid().ToString("N")[..8]), cancellationToken: cancellationToken);
        return result.State ?? throw new InvalidOperationException($"agent enrollment refused: {result.Status} {result.Code} {result.Detail}");
    }

    /// <summary>Opens a support session (attended) for <paramref name="machine"/>, or ad hoc when null: its id and, ad hoc, its code.</summary>
    public async Task<(Guid Id, string? Code)> OpenSessionAsync(TestSession technician, Guid? machine)
    {
        var body = new JsonObject { ["reason"] = "bench", ["attended"] = true };
        if (machine is { } id)
        {
            body["machine_id"] = id.ToString();
        }

        var opened = Ok(await Client.SendAsync(HttpMethod.Post, "/api/support/sessions", body, technician.Token), "open a support session");
        return (opened.Json.GetProperty("id").GetGuid(), opened.Json.TryGetProperty("support_code", out var code) ? code.GetString() : null);
    }

    /// <summary>Ends a support session (its technician or an admin).</summary>
    public async Task EndSessionAsync(TestSession technician, Guid session) =>
        await Client.SendAsync(HttpMethod.Post, $"/api/support/sessions/{session}/end", new JsonObject(), technician.Token);

    /// <summary>A join token for <paramref name="session"/>, minted by <paramref name="technician"/>.</summary>
    public async Task<string> JoinTokenAsync(TestSession technician, Guid session) =>
        Ok(await Client.SendAsync(HttpMethod.Post, $"/api/support/sessions/{session}/join", new JsonObject(), technician.Token), "mint a join token")
            .GetString("join_token");

    /// <summary>The viewer socket address for a TCP stream to <paramref name="port"/> on the machine.</summary>
    public Uri ViewerUri(Guid session, int port) => new(Keyward.WebSocketBase, $"/viewer/v1/sessions/{session}?kind=tcp&port={port}");

    private static Keyward.Client.KeywardResponse Ok(Keyward.Client.KeywardResponse response, string what) =>
        response.StatusCode is >= 200 and < 300
            ? response
            : throw new InvalidOperationException($"{what}: Keyward answered {response.StatusCode}: {response.Body}");

    public async ValueTask DisposeAsync()
    {
        _sockets?.Dispose();
        _client?.Dispose();
        if (_keyward is not null)
        {
            await _keyward.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
