using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyward.Agent.Enrollment;

/// <summary>
/// Enrollment, trust on first use (docs/remote-support.md, "Enrollment"): presents the enroll token <c>kwe_</c> once
/// to <c>POST /agent/v1/enroll</c> over TLS checked against the given CA only, and saves what Keyward answers in the
/// state directory. The token and the key are never logged, echoed or put in an exception.
/// </summary>
public static class AgentEnrollment
{
    /// <summary>The enrollment path on Keyward.</summary>
    public const string EnrollPath = "agent/v1/enroll";

    /// <summary>
    /// Enrolls this machine with Keyward at <paramref name="server"/>: the key goes to <c>agent.key</c> (mode 0600,
    /// created with that mode), the CA is copied to <c>ca.pem</c>, the server and machine id to <c>agent.json</c>.
    /// A state directory that already holds a key is refused before the token is spent.
    /// </summary>
    public static async Task<AgentEnrollmentResult> EnrollAsync(
        Uri server,
        string caCertPath,
        string enrollToken,
        string stateDirectory,
        ILogger? logger = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(caCertPath);
        ArgumentException.ThrowIfNullOrEmpty(enrollToken);
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        logger ??= NullLogger.Instance;
        timeProvider ??= TimeProvider.System;

        if (!enrollToken.StartsWith("kwe_", StringComparison.Ordinal))
        {
            return AgentEnrollmentResult.Fail(0, "enroll_token_malformed", "The enroll token must start with kwe_: copy the whole token the admin created.");
        }

        var directory = Path.GetFullPath(stateDirectory);
        if (File.Exists(Path.Combine(directory, AgentState.KeyFileName)) || File.Exists(Path.Combine(directory, AgentState.StateFileName)))
        {
            return AgentEnrollmentResult.Fail(0, "already_enrolled", $"{directory} already holds an enrolled agent: remove that directory first (the old key stops working only when an admin revokes it), or pass another --state-dir.");
        }

        // An existing directory must be this user's alone, checked before the token is spent.
        if (Directory.Exists(directory))
        {
            try
            {
                StatePermissions.CheckDirectory(directory);
            }
            catch (AgentStateException e)
            {
                return AgentEnrollmentResult.Fail(0, "state_directory_unsafe", e.Message);
            }
        }

        using var handler = new SocketsHttpHandler { UseCookies = false };
        handler.SslOptions.RemoteCertificateValidationCallback = PinnedCa.Only(caCertPath);
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(WithTrailingSlash(server), EnrollPath));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", enrollToken);
        request.Headers.TryAddWithoutValidation(AgentProtocolHeaders.Version, AgentProtocolHeaders.AgentVersion);
        request.Content = new StringContent(ClientFacts(), Encoding.UTF8, "application/json");

        AgentLog.Enrolling(logger, server.Authority);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
        {
            AgentLog.TlsRefused(logger, server.Authority);
            return AgentEnrollmentResult.Fail(0, "tls_untrusted", $"The server's certificate at {server.Authority} is not one the CA in {Path.GetFullPath(caCertPath)} issued for {server.Host}: check --cacert (Keyward's <data>/tls/ca.pem) and that --server uses a name the certificate carries.");
        }
        catch (HttpRequestException e)
        {
            return AgentEnrollmentResult.Fail(0, "unreachable", $"Keyward at {server.Authority} could not be reached ({e.HttpRequestError}): check --server.");
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var (code, detail) = ReadProblem(body);
                AgentLog.EnrollRefused(logger, (int)response.StatusCode, code ?? "none");
                return AgentEnrollmentResult.Fail((int)response.StatusCode, code ?? "error", detail ?? EnrollmentRefusals.Explain(code));
            }

            if (!TryReadAnswer(body, out var machineId, out var agentKey, out var label, out var policy))
            {
                return AgentEnrollmentResult.Fail((int)response.StatusCode, "bad_answer", "Keyward's answer carried no machine_id and agent key (kwa_…): is --server a Keyward with remote support?");
            }

            var state = new AgentState { Directory = directory, Server = server, MachineId = machineId, Label = label, Policy = policy, EnrolledAt = timeProvider.GetUtcNow() };
            Save(state, caCertPath, agentKey);
            AgentLog.Enrolled(logger, machineId, directory);
            return new AgentEnrollmentResult { State = state, Status = (int)response.StatusCode };
        }
    }

    internal static Uri WithTrailingSlash(Uri server) =>
        server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");

    private static void Save(AgentState state, string caCertPath, string agentKey)
    {
        PrivateFile.CreateDirectory(state.Directory);

        // The key first, created 0600 (never chmod-ed after writing); the state file last, so that a crash in between
        // leaves a directory that Load refuses and enroll refuses to overwrite, not one that looks enrolled.
        PrivateFile.CreateNew(state.KeyPath, agentKey + "\n");
        PrivateFile.CreateNew(state.CaPath, File.ReadAllText(caCertPath));
        state.WriteStateFile(Path.Combine(state.Directory, AgentState.StateFileName));
    }

    private static string ClientFacts()
    {
        // Informational only (docs/remote-support.md: nothing the agent claims selects or changes a record).
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("hostname", Environment.MachineName);
            writer.WriteString("version", AgentProtocolHeaders.AgentVersion);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static bool TryReadAnswer(byte[] body, out string machineId, out string agentKey, out string? label, out string? policy)
    {
        machineId = agentKey = string.Empty;
        label = policy = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("machine_id", out var id) || id.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("agent_key", out var key) || key.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            machineId = id.GetString()!;
            agentKey = key.GetString()!;
            label = root.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
            policy = root.TryGetProperty("policy", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            return machineId.Length > 0 && agentKey.StartsWith("kwa_", StringComparison.Ordinal) && !agentKey.Any(char.IsWhiteSpace);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static (string? Code, string? Detail) ReadProblem(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            return (
                root.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null,
                root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String ? detail.GetString() : null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
