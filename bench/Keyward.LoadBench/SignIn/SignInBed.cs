using System.Globalization;
using System.Security.Cryptography;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.LoadBench.Hosting;
using Keyward.LoadBench.Trivial;
using Keyward.Server.Tls;
using Keyward.Testing.Hosting;
using Microsoft.Extensions.Logging;

namespace Keyward.LoadBench.SignIn;

/// <summary>
/// The sign-in bench's bed, in a temporary directory: Keyward in this process (Kestrel, TLS from the bench CA), one
/// account with one virtual key (signature counter 0, so concurrent ceremonies are not taken for a clone), the
/// per-address sign-in rate limit raised out of the way, and a WebSocket route to the trivial upstream (a child
/// process) for ticket redeems. The clients run in child processes (<see cref="SignInClient"/>).
/// </summary>
internal sealed class SignInBed : IAsyncDisposable
{
    public const string Route = "ws";

    private const string Account = "bench";

    private readonly string _directory;
    private KeywardTestHost? _keyward;
    private BenchChild? _upstream;

    private SignInBed(string directory) => _directory = directory;

    /// <summary>What a client child needs, passed in its environment (the passphrase and the token are secrets).</summary>
    public IReadOnlyDictionary<string, string> ClientEnvironment { get; private set; } = new Dictionary<string, string>();

    public static async Task<SignInBed> StartAsync(bool onDisk, TextWriter log, CancellationToken cancellationToken)
    {
        var root = onDisk ? Path.GetTempPath() : TestBed.Root;
        var bed = new SignInBed(Path.Combine(root, "keyward-signinbench-" + Guid.NewGuid().ToString("N")[..8]));
        try
        {
            await bed.StartCoreAsync(log, cancellationToken);
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var upstreamPort = FreePort.Next();
        Directory.CreateDirectory(_directory);
        log.WriteLine($"test bed in {_directory}");
        var ca = new LocalCertificateAuthority(_directory, TimeProvider.System);
        using (ca.LoadOrCreateCa())
        {
        }

        var (upstreamCert, upstreamKey) = ca.IssueFiles("upstream", ["localhost", "127.0.0.1"]);
        _upstream = BenchChild.Start([TrivialUpstream.ChildCommand, upstreamPort.ToString(CultureInfo.InvariantCulture), upstreamCert, upstreamKey]);
        _keyward = await KeywardTestHost.StartAsync(
            new KeywardTestHostOptions
            {
                Transport = KeywardTransport.Kestrel,
                DataDirectory = _directory,
                Settings = new Dictionary<string, string>
                {
                    [$"Keyward:Routes:{Route}:Path"] = "/ws/{**rest}",
                    [$"Keyward:Routes:{Route}:Upstream"] = $"https://127.0.0.1:{upstreamPort}",
                    [$"Keyward:Routes:{Route}:UpstreamCaFile"] = ca.CaCertificatePath,
                    [$"Keyward:Routes:{Route}:WebSocket:Enabled"] = "true",

                    // The issue's measurement raised the sign-in limits too: one address signing in thousands of times.
                    ["Keyward:SignIn:PerAddressPerMinute"] = "100000000",

                    // Every client redeems its tickets with the one session: past 16 clients (the default cap per
                    // session) the upgrades would be refused 429 websocket_session_limit.
                    ["Keyward:WebSockets:MaxSocketsPerSession"] = "1000",
                },
                Logging = logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning),
            },
            cancellationToken);
        await _upstream.WaitReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);

        var setup = _keyward.SetupCode ?? throw new InvalidOperationException("Keyward issued no setup code in a fresh data directory.");

        // Counter 0 as synced passkeys report: with one key and concurrent ceremonies, an incrementing counter would
        // reach Keyward out of order. The key file's cost (PBKDF2) is the clients' and only at their start.
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions
        {
            SignCounter = SignCounterMode.Zero,
            KeyFileIterations = VirtualAuthenticatorOptions.MinimumKeyFileIterations,
        });
        string token;
        using (var http = _keyward.CreateHttpClient())
        {
            var client = new KeywardClient(http, new KeywardClientOptions { Origin = _keyward.Origin });
            await client.RegisterAsync(key, RegistrationRequest.WithSetupCode(setup, Account, "sign-in bench"), cancellationToken);
            token = (await client.SignInAsync(key, Account, cancellationToken)).SessionToken;
        }

        var keyFile = Path.Combine(_directory, "bench.key");
        var passphrase = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        key.Save(keyFile, passphrase);
        ClientEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SignInClient.OriginVariable] = _keyward.Origin,
            [SignInClient.CaVariable] = _keyward.CaFile,
            [SignInClient.KeyFileVariable] = keyFile,
            [SignInClient.PassphraseVariable] = passphrase,
            [SignInClient.AccountVariable] = Account,
            [SignInClient.TokenVariable] = token,
            [SignInClient.RouteVariable] = Route,
            [SignInClient.SocketVariable] = new Uri(_keyward.WebSocketBase, "/ws/bench").ToString(),
        };
        log.WriteLine($"Keyward on {_keyward.Port}, trivial upstream on {upstreamPort}; virtual key registered and signed in");
    }

    public async ValueTask DisposeAsync()
    {
        if (_keyward is not null)
        {
            await _keyward.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
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
