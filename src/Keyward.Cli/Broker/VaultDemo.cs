using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.Server.Tls;
using Spectre.Console;

namespace Keyward.Cli.Broker;

/// <summary>
/// The walk of <c>keyward demo vault</c> (docs/vault.md, docs/approvals.md, docs/capabilities.md): Keyward is a child
/// process (<c>keyward serve</c>, TLS from the local CA of its data directory, a key file of mode 0600 for epoch 1 and
/// one for epoch 2); <c>keyward vault rekey</c>, <c>vault epochs</c>, <c>audit export</c> and <c>audit verify</c> are
/// child processes too. This process plays two approvers (virtual keys: hardware-bound, counter on) who vote over HTTP
/// with real assertions, and a service identity that mints capabilities and reads and writes the vault. Every step in
/// <see cref="Plan"/> must run and pass. Split by phase: quorum and scope (<c>VaultDemo.Quorum.cs</c>), the live
/// refusals (<c>VaultDemo.Checks.cs</c>), epochs, stranding and the audit log (<c>VaultDemo.Epochs.cs</c>).
/// </summary>
internal sealed partial class VaultDemo : IAsyncDisposable
{
    internal const string StartKeyward = "start keyward serve (child process, TLS, KEK files 0600)";
    internal const string FirstApprover = "first approver registers its virtual key (setup code)";
    internal const string SecondApprover = "second approver registers its own virtual key (invite)";
    internal const string Policy = "approval policy: 2 of 2, both keys hardware-bound";
    internal const string CreateActor = "service identity created (actor)";
    internal const string GrantScope = "scope granted by two WebAuthn votes (credential, demo/)";
    internal const string StoreCredential = "actor mints a capability and stores a credential";
    internal const string ReadNeedsApproval = "credential read without approval: 403 approval_required";
    internal const string ReadBack = "read approved by two votes: credential back byte for byte";
    internal const string ClassMismatch = "credential capability on memory: 403 cap_data_class_mismatch";
    internal const string ActorMismatch = "capability on a 2nd actor's secret: 403 cap_actor_mismatch";
    internal const string OperationMismatch = "write with a read capability: 403 cap_operation_mismatch";
    internal const string PathOutside = "path outside scope: 403 cap_scope_missing / cap_path_mismatch";
    internal const string ReplayedVote = "approval vote replayed: 409 approval_replayed";
    internal const string OtherOperation = "vote for another operation: 403 approval_other_operation";
    internal const string AdvanceEpoch = "key epoch 2 advanced by two WebAuthn votes";
    internal const string WriteEpoch2 = "a write under epoch 2 (checked with keyward vault epochs)";
    internal const string Rekey = "keyward vault rekey (child process): epoch 1 re-wrapped";
    internal const string OldReadable = "old secret read after the rekey, byte for byte (approved)";
    internal const string ThresholdAbove = "threshold above group: 409 approval_threshold_above_approvers";
    internal const string RemoveStrands = "approver removal from 2 of 2: 409 approval_would_strand";
    internal const string AuditVerifies = "audit log exported and verified (keyward audit export/verify)";
    internal const string RefusalsAudited = "every refusal above audited with its code";
    internal const string NoSecretAudited = "no secret value, key or token in the audit log";

    /// <summary>
    /// Every step, in order; the demo fails when one of them fails or does not run. Each name is at most 65 characters,
    /// so that its line (<c>  ✓ name (N ms)</c>) fits the 80 columns a console without a terminal is given.
    /// </summary>
    internal static readonly IReadOnlyList<string> Plan =
    [
        StartKeyward, FirstApprover, SecondApprover, Policy, CreateActor, GrantScope, StoreCredential, ReadNeedsApproval,
        ReadBack, ClassMismatch, ActorMismatch, OperationMismatch, PathOutside, ReplayedVote, OtherOperation, AdvanceEpoch,
        WriteEpoch2, Rekey, OldReadable, ThresholdAbove, RemoveStrands, AuditVerifies, RefusalsAudited, NoSecretAudited,
    ];

    private const string Credential = "credential";
    private const string SecretPath = "demo/api-key";

    // Bounds that keep a broken run from hanging on this shared machine; none is a latency assertion.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private readonly IAnsiConsole _console;
    private readonly DemoReport _report = new(Plan);
    private readonly string _data;
    private readonly string _keys;
    private readonly int _port = FreePort.Next();

    // Every refusal the walk saw, as the audit log must show it: (action, code).
    private readonly List<(string Action, string Code)> _refusals = [];
    private DemoChild? _serve;
    private HttpClient? _http;
    private KeywardClient? _client;
    private string _caFile = string.Empty;

    private VaultDemo(IAnsiConsole console, string directory)
    {
        _console = console;
        _data = Path.Combine(directory, "keyward");
        _keys = Path.Combine(directory, "keys");
        Export = Path.Combine(directory, "audit.jsonl");
    }

    private string Origin => $"https://localhost:{_port}";

    private string Export { get; }

    private KeywardClient Client => _client ?? throw new InvalidOperationException("Keyward is not started");

    // The vault settings keyward serve and the server-side commands share: a key file per epoch.
    private string[] KeySettings => [$"--Keyward:Vault:Keys:1:File={KeyFile(1)}", $"--Keyward:Vault:Keys:2:File={KeyFile(2)}"];

    /// <summary>Runs the walk in <paramref name="directory"/>, prints the report, cleans up its processes; the exit code.</summary>
    public static async Task<int> RunAsync(string directory, CancellationToken cancellationToken)
    {
        var demo = new VaultDemo(AnsiConsole.Console, directory);
        await using (demo.ConfigureAwait(false))
        {
            demo._console.MarkupLineInterpolated($"[bold]Keyward vault demo[/] in {directory}");
            try
            {
                await demo.WalkAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // The failed step printed why and is in the report; the steps after it are reported as not run.
                if (demo._serve is { } serve)
                {
                    demo._report.Note($"keyward serve said: {ServeTail(serve)}");
                }
            }
        }

        // Printed once Keyward is stopped, so nothing it prints lands inside the report.
        demo._report.Print(demo._console);
        return demo._report.ExitCode;
    }

    private async Task WalkAsync(CancellationToken ct)
    {
        await Step(StartKeyward, () => StartKeywardAsync(ct)).ConfigureAwait(false);
        await QuorumAsync(ct).ConfigureAwait(false);
        await ScopeAsync(ct).ConfigureAwait(false);
        await RefusalsAsync(ct).ConfigureAwait(false);
        await EpochsAsync(ct).ConfigureAwait(false);
        await StrandAsync(ct).ConfigureAwait(false);
        await AuditAsync(ct).ConfigureAwait(false);
    }

    private async Task StartKeywardAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_data);
        Directory.CreateDirectory(_keys);

        // The CA keyward serve takes its TLS certificate from, made first so this process knows what to trust.
        var ca = new LocalCertificateAuthority(_data, TimeProvider.System);
        using (ca.LoadOrCreateCa())
        {
        }

        _caFile = ca.CaCertificatePath;
        WriteKeyFile(KeyFile(1));
        WriteKeyFile(KeyFile(2));
        _serve = DemoChild.Start(
            "keyward serve",
            [
                "serve", "--data-dir", _data, "--listen", $"https://127.0.0.1:{_port}", $"--Keyward:PublicOrigin={Origin}",
                $"--Keyward:Metrics:Listen=http://127.0.0.1:{FreePort.Next()}", "--Logging:LogLevel:Default=Warning", .. KeySettings,
            ]);
        _http = CaTrust.CreateHttpClient(new Uri(Origin), _caFile);
        _client = new KeywardClient(_http);
        await WaitReadyAsync(ct).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            _report.Note($"key files {KeyFile(1)}, {Path.GetFileName(KeyFile(2))}: mode {Convert.ToString((int)File.GetUnixFileMode(KeyFile(1)), 8)}, {Convert.ToString((int)File.GetUnixFileMode(KeyFile(2)), 8)}");
        }
    }

    // Until /readyz answers 200 (storage migrated, the vault opened and its keys checked, the audit log writable).
    private async Task WaitReadyAsync(CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Bound);
        while (true)
        {
            if (_serve!.HasExited)
            {
                throw new InvalidOperationException($"keyward serve exited: {ServeTail(_serve)}");
            }

            try
            {
                var ready = await Client.SendAsync(HttpMethod.Get, "/readyz", cancellationToken: limit.Token).ConfigureAwait(false);
                if (ready.StatusCode == (int)HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"keyward serve was not ready within {Bound.TotalSeconds:0} s; it said: {ServeTail(_serve)}");
            }

            try
            {
                await Task.Delay(200, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"keyward serve was not ready within {Bound.TotalSeconds:0} s; it said: {ServeTail(_serve)}");
            }
        }
    }

    /// <summary>The setup code keyward serve printed at its first start (read from its output, never printed here).</summary>
    private async Task<string> SetupCodeAsync(CancellationToken ct)
    {
        var line = await _serve!.WaitForLineAsync(l => SetupCodeLine().IsMatch(l), Bound, ct).ConfigureAwait(false);
        return SetupCodeLine().Match(line).Groups["code"].Value;
    }

    private string KeyFile(int epoch) => Path.Combine(_keys, $"kek-{epoch}.key");

    // 32 random bytes in base64, created with mode 0600 (Keyward refuses a key file open to its group or others).
    private static void WriteKeyFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            using var file = new FileStream(path, options);
            file.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Starts <c>keyward <paramref name="args"/></c>, waits for it to exit, and returns its exit code and output.</summary>
    private static async Task<(int Exit, IReadOnlyList<string> Lines)> RunChildAsync(string name, IEnumerable<string> args, CancellationToken ct)
    {
        var child = DemoChild.Start(name, args);
        await using (child.ConfigureAwait(false))
        {
            var exit = await child.WaitForExitAsync(Bound, ct).ConfigureAwait(false);
            return (exit, child.Lines);
        }
    }

    private Task Step(string name, Func<Task> action) => _report.StepAsync(_console, name, action);

    /// <summary>Requires exactly <paramref name="status"/> and <paramref name="code"/>; remembers the refusal for the audit check.</summary>
    private void Expect(KeywardResponse answer, int status, string code, string auditAction, string what)
    {
        if (answer.StatusCode != status || answer.Code != code)
        {
            throw new InvalidOperationException($"{what}: expected {status} {code}, got {answer.StatusCode} {answer.Code ?? "(no problem code)"}");
        }

        _refusals.Add((auditAction, code));
        _report.Note($"{what}: {answer.StatusCode} {answer.Code}");
    }

    // What keyward serve printed last, without the line that carries the setup code.
    private static string ServeTail(DemoChild serve) =>
        string.Join(" | ", serve.Lines.Where(l => !SetupCodeLine().IsMatch(l)).TakeLast(6));

    private static JsonArray Array(params string[] values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    [GeneratedRegex(@"setup code (?<code>\S+) \(single use")]
    private static partial Regex SetupCodeLine();

    /// <summary>Stops keyward serve (if still running) and lets go of the values this walk kept.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopServeAsync().ConfigureAwait(false);
        _http?.Dispose();
        CryptographicOperations.ZeroMemory(_value);
        CryptographicOperations.ZeroMemory(_value2);
    }

    private async Task StopServeAsync()
    {
        if (_serve is { } serve)
        {
            _serve = null;
            await serve.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static VirtualAuthenticator NewKey() =>
        VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { BackupEligible = false, SignCounter = SignCounterMode.Increment });
}
