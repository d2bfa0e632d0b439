using System.Diagnostics.CodeAnalysis;
using Keyward.Core.Audit;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests;

/// <summary>
/// The broker end to end in-process: passkey sign-in with virtual keys, reusable sessions, and the authenticated
/// proxy to a real loopback upstream. Every scenario runs once per storage provider (the subclasses); each test
/// gets its own data directory, database, upstream and fake clock. After every test, no response the clients saw
/// other than a successful sign-in may contain a session token.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes the folder.")]
public abstract partial class BrokerTests : IAsyncLifetime
{
    private const string Origin = KeywardTestHost.InProcessOrigin;
    private const string AppHost = "app.localhost";
    private const string OtherHost = "other.localhost";

    private readonly TempDirectory _data = new("keyward-server-tests-");
    private readonly List<KeywardTestHost> _hosts = [];
    private readonly List<KeywardTestClient> _clients = [];
    private EchoUpstream? _echo;
    private IReadOnlyDictionary<string, string> _storage = new Dictionary<string, string>();

    private EchoUpstream Echo => _echo ?? throw new InvalidOperationException("The upstream has not started.");

    public async Task InitializeAsync()
    {
        _echo = await EchoUpstream.StartAsync();
        _storage = await CreateStorageAsync();
    }

    public async Task DisposeAsync()
    {
        var seen = _clients.SelectMany(c => c.Seen).ToList();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await Echo.DisposeAsync();
        await DropStorageAsync();
        _data.Dispose();

        var leaks = TokenLeaks.Find(seen);
        Assert.True(leaks.Count == 0, "TestSession tokens appeared outside the sign-in response: " + string.Join("; ", leaks));
    }

    /// <summary>The <c>Keyward:Storage</c> settings of this test's fresh database.</summary>
    protected abstract Task<IReadOnlyDictionary<string, string>> CreateStorageAsync();

    /// <summary>Releases what <see cref="CreateStorageAsync"/> made.</summary>
    protected virtual Task DropStorageAsync() => Task.CompletedTask;

    /// <summary>Starts a broker on this test's data directory and database. Later calls model a restart.</summary>
    private async Task<KeywardTestHost> StartHostAsync(Action<Dictionary<string, string>>? configure = null, DateTimeOffset? now = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Keyward:DataDirectory"] = _data.Path,
            ["Keyward:PublicOrigin"] = Origin,

            // One client address for the whole test: the per-address limit has its own test.
            ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
            ["Keyward:SignIn:FailuresBeforeBackoff"] = "100000",
            ["Keyward:Routes:echo:Path"] = "/echo/{**rest}",
            ["Keyward:Routes:echo:Upstream"] = Echo.Address.ToString(),
            ["Keyward:Routes:uv-only:Path"] = "/uv/{**rest}",
            ["Keyward:Routes:uv-only:Upstream"] = Echo.Address.ToString(),
            ["Keyward:Routes:uv-only:RequireUserVerification"] = "true",
            ["Keyward:Routes:admins:Path"] = "/admins/{**rest}",
            ["Keyward:Routes:admins:Upstream"] = Echo.Address.ToString(),
            ["Keyward:Routes:admins:Role"] = "admin",

            // Browser routes, each on its own host: every path of app.localhost, and only /app/... of other.localhost.
            ["Keyward:Routes:app:Host"] = AppHost,
            ["Keyward:Routes:app:Upstream"] = Echo.Address.ToString(),
            ["Keyward:Routes:other:Host"] = OtherHost,
            ["Keyward:Routes:other:Path"] = "/app/{**rest}",
            ["Keyward:Routes:other:Upstream"] = Echo.Address.ToString(),
        };
        foreach (var (key, value) in _storage)
        {
            settings[key] = value;
        }

        configure?.Invoke(settings);
        // Whole seconds: Keyward stores milliseconds and assertions carry seconds, so exact comparisons hold.
        var start = now ?? DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            DataDirectory = _data.Path,
            Settings = settings,
            Time = new FakeTimeProvider(start),
            Services = services =>
            {
                services.AddSingleton(sp => new SwitchableAuditLog(sp.GetRequiredService<AuditLog>()));
                services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<SwitchableAuditLog>());
                services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestClientAddress>();
            },
        });
        _hosts.Add(host);
        return host;
    }

    private KeywardTestClient ClientOf(KeywardTestHost host)
    {
        var client = host.CreateClient();
        _clients.Add(client);
        return client;
    }

    /// <summary>A started broker whose first admin ("admin", the client's default key) is registered and signed in.</summary>
    private async Task<Broker> StartWithAdminAsync(Action<Dictionary<string, string>>? configure = null)
    {
        var host = await StartHostAsync(configure);
        var client = ClientOf(host);
        var code = host.SetupCode;
        Assert.NotNull(code);
        var registered = await client.RegisterAdminAsync(code);
        Assert.Equal(("admin", "admin"), (registered.Account, registered.Role));
        var admin = await client.LoginAsync("admin");
        return new Broker(host, client, admin);
    }

    /// <summary>Registers a user through an invite from the admin and signs them in with their own key.</summary>
    private static async Task<(TestSession Session, Authenticator.VirtualAuthenticator Key)> AddUserAsync(Broker broker, string name, string role = "user")
    {
        var invite = await broker.Client.CreateInviteAsync(broker.Admin.Token, name, role);
        var key = KeywardTestClient.NewKey();
        var registered = await broker.Client.RegisterWithInviteAsync(invite, key);
        Assert.Equal((name, role), (registered.Account, registered.Role));
        return (await broker.Client.LoginAsync(name, key), key);
    }

    private sealed record Broker(KeywardTestHost Host, KeywardTestClient Client, TestSession Admin);
}
