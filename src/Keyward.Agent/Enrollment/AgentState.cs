using System.Text.Json;

namespace Keyward.Agent.Enrollment;

/// <summary>
/// An enrolled agent's state directory (docs/remote-support.md, "The agent end"): <c>agent.json</c> (server URL,
/// machine id, label), <c>agent.key</c> (the agent key, mode 0600) and <c>ca.pem</c> (the CA pinned at enrollment).
/// The key itself is never held here: it is read from its file when a connection is made.
/// </summary>
public sealed record AgentState
{
    /// <summary>The file that holds the agent key.</summary>
    public const string KeyFileName = "agent.key";

    /// <summary>The file that holds the pinned CA certificate (PEM).</summary>
    public const string CaFileName = "ca.pem";

    /// <summary>The file that holds the server URL, machine id and label.</summary>
    public const string StateFileName = "agent.json";

    /// <summary>The state directory.</summary>
    public required string Directory { get; init; }

    /// <summary>Keyward's address, as given at enrollment.</summary>
    public required Uri Server { get; init; }

    /// <summary>The machine id Keyward assigned (informational: the key is the machine's identity).</summary>
    public required string MachineId { get; init; }

    /// <summary>The label Keyward gave the machine, when it said.</summary>
    public string? Label { get; init; }

    /// <summary>
    /// The machine's access policy as Keyward gave it at enrollment: <c>attended</c> or <c>unattended</c>; null in state
    /// written before Keyward said. On an attended machine the agent itself opens streams only for support sessions its
    /// person accepted on the current connection (Keyward is not the only one enforcing the person's answer).
    /// </summary>
    public string? Policy { get; init; }

    /// <summary>True when every support session on this machine needs the person's yes (the policy is <c>attended</c>).</summary>
    public bool Attended => Policy == "attended";

    /// <summary>When the machine was enrolled.</summary>
    public DateTimeOffset EnrolledAt { get; init; }

    /// <summary>The agent key file's path.</summary>
    public string KeyPath => Path.Combine(Directory, KeyFileName);

    /// <summary>The pinned CA's path.</summary>
    public string CaPath => Path.Combine(Directory, CaFileName);

    /// <summary>Reads the state of an enrolled agent; a missing or damaged directory is an <see cref="AgentStateException"/> that says what to do.</summary>
    public static AgentState Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = Path.GetFullPath(directory);
        var stateFile = Path.Combine(full, StateFileName);
        if (!File.Exists(stateFile))
        {
            throw new AgentStateException($"No enrolled agent in {full} ({StateFileName} is missing): run 'keyward agent enroll --server URL --cacert CA --token kwe_…' first, or pass the --state-dir it used.");
        }

        foreach (var required in new[] { KeyFileName, CaFileName })
        {
            if (!File.Exists(Path.Combine(full, required)))
            {
                throw new AgentStateException($"The agent state in {full} has no {required}: enroll again with a new enroll token.");
            }
        }

        StatePermissions.CheckDirectory(full);
        StatePermissions.CheckKeyFile(Path.Combine(full, KeyFileName));

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(stateFile));
            var root = document.RootElement;
            var server = root.GetProperty("server").GetString();
            var machineId = root.GetProperty("machine_id").GetString();
            if (!Uri.TryCreate(server, UriKind.Absolute, out var serverUri) || string.IsNullOrEmpty(machineId))
            {
                throw new AgentStateException($"{stateFile} has no valid server or machine_id: enroll again with a new enroll token.");
            }

            return new AgentState
            {
                Directory = full,
                Server = serverUri,
                MachineId = machineId,
                Label = root.TryGetProperty("label", out var label) && label.ValueKind == JsonValueKind.String ? label.GetString() : null,
                Policy = root.TryGetProperty("policy", out var policy) && policy.ValueKind == JsonValueKind.String ? policy.GetString() : null,
                EnrolledAt = root.TryGetProperty("enrolled_at", out var at) && at.TryGetDateTimeOffset(out var when) ? when : default,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new AgentStateException($"{stateFile} is not valid agent state: enroll again with a new enroll token.");
        }
    }

    /// <summary>Reads the agent key from its file (never logged, never part of an exception).</summary>
    internal string ReadKey()
    {
        // Again at each connection: a key file whose mode changed while the agent ran is not used.
        StatePermissions.CheckKeyFile(KeyPath);
        var key = File.ReadAllText(KeyPath).Trim();
        if (!key.StartsWith("kwa_", StringComparison.Ordinal))
        {
            throw new AgentStateException($"{KeyPath} does not hold an agent key (kwa_…): enroll again with a new enroll token.");
        }

        return key;
    }

    internal void WriteStateFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Keyward agent runs on Linux and other Unix systems only.");
        }

        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = PrivateFile.OwnerReadWrite });
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("server", Server.ToString());
        writer.WriteString("machine_id", MachineId);
        if (Label is not null)
        {
            writer.WriteString("label", Label);
        }

        if (Policy is not null)
        {
            writer.WriteString("policy", Policy);
        }

        writer.WriteString("enrolled_at", EnrolledAt);
        writer.WriteEndObject();
    }
}
