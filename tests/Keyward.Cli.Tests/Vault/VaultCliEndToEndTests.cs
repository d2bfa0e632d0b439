using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Cli.Tests.Broker;
using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Keyward.WebAuthn;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Cli.Tests.Vault;

/// <summary>
/// <c>keyward vault put</c> then <c>get</c> as real processes, as a service identity against a real Keyward with a real
/// scope (granted by the admin's 1-of-1 quorum with a WebAuthn assertion): the value goes in on standard input and comes
/// back on standard output byte for byte, and nothing secret (value, key, capability) reaches standard error.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes the folder.")]
public sealed class VaultCliEndToEndTests : IAsyncLifetime
{
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("kw-vault-marker-");
    private readonly TempDirectory _folder = new("keyward-cli-vault-e2e-");
    private readonly string _kek = "KEYWARD_TEST_CLI_E2E_KEK_" + Guid.NewGuid().ToString("N");
    private KeywardTestHost? _host;

    private KeywardTestHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(_kek, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        _host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            DataDirectory = _folder.Combine("data"),
            Settings = new Dictionary<string, string> { ["Keyward:Vault:Keys:1:Environment"] = _kek },
        });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
        Environment.SetEnvironmentVariable(_kek, null);
    }

    [Fact]
    public async Task PutThenGet_AsAServiceIdentity_RoundTripsByteForByte_AndNothingSecretOnStandardError()
    {
        var (actor, key) = await ServiceWithMemoryScopeAsync();
        var keyFile = await KeyFileAsync(key + "\n");

        // Every byte value (NUL, CR, LF, invalid UTF-8), a marker to look for, and no trailing newline.
        var value = Marker.Concat(Enumerable.Range(0, 256).Select(b => (byte)b)).Concat(RandomNumberGenerator.GetBytes(4096)).ToArray();
        string[] common = ["--server", Host.Origin, "--cacert", Host.CaFile, "--key-file", keyFile, "--actor", actor.ToString(), "--class", "memory"];

        var put = await RunProcessAsync(value, ["vault", "put", .. common, "agents/blob"]);
        var get = await RunProcessAsync(stdin: [], ["vault", "get", .. common, "agents/blob"]);

        Assert.True(put.Code == 0, Encoding.UTF8.GetString(put.Error));
        Assert.True(get.Code == 0, Encoding.UTF8.GetString(get.Error));
        Assert.Equal(value, get.Output);
        Assert.Contains("Stored memory agents/blob version 1.", Encoding.UTF8.GetString(put.Error), StringComparison.Ordinal);
        foreach (var stream in new[] { put.Output, put.Error, get.Error })
        {
            var text = Encoding.Latin1.GetString(stream);
            Assert.DoesNotContain("kw-vault-marker", text, StringComparison.Ordinal);
            Assert.DoesNotContain(key[4..20], text, StringComparison.Ordinal);
            Assert.DoesNotContain("eyJ", text, StringComparison.Ordinal); // no capability (a JWS) either
        }

        // And the listing (in process): the path and its version, never the value.
        var list = await CommandLineRun.RunAsync(["vault", "list", .. common, "agents/"]);
        Assert.True(list.Code == 0, list.Error);
        Assert.StartsWith("agents/blob\t1\t", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("kw-vault-marker", list.Output + list.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_OutsideTheScope_ExitsOneWithTheCode_AndPrintsNothing()
    {
        var (actor, key) = await ServiceWithMemoryScopeAsync();
        var keyFile = await KeyFileAsync(key);

        var get = await CommandLineRun.RunAsync("vault", "get", "--server", Host.Origin, "--cacert", Host.CaFile, "--key-file", keyFile, "--actor", actor.ToString(), "--class", "credential", "agents/blob");

        Assert.Equal(1, get.Code);
        Assert.Empty(get.Output);
        Assert.Contains("cap_scope_missing", get.Error, StringComparison.Ordinal);
    }

    // An admin creates a service identity through the API; a scope (read, write, list on memory under agents/) is
    // proposed through the API and approved with the admin's key under a 1-of-1 policy.
    private async Task<(Guid Actor, string Key)> ServiceWithMemoryScopeAsync()
    {
        using var client = new KeywardTestClient(Host);
        await client.RegisterAdminAsync(Host.SetupCode!);
        var admin = await client.LoginAsync("admin");
        await client.StepUpAsync(admin.Token, "admin");
        Guid adminId;
        byte[] credentialId;
        await using (var db = Host.GetRequiredService<KeywardDatabase>().CreateContext())
        {
            adminId = await db.Accounts.Where(a => a.Name == "admin").Select(a => a.Id).SingleAsync();
            credentialId = await db.Authenticators.Where(a => a.AccountId == adminId).Select(a => a.CredentialId).FirstAsync();
        }

        var policy = await new ApprovalPolicyService(Host.GetRequiredService<KeywardDatabase>(), TimeProvider.System).CreateAsync(new ApprovalPolicyDraft
        {
            Name = "scopes",
            Kinds = [OperationKind.GrantScope],
            Groups = [new("owners", 1, [adminId])],
        });
        Assert.True(policy.Succeeded, policy.Failure?.ToString());

        var created = await client.SendAsync(HttpMethod.Post, "/api/admin/actors", new JsonObject { ["label"] = "cli e2e" }, admin.Token);
        Assert.True(created.StatusCode == 200, created.ToString());
        var actor = Guid.Parse(created.Json.GetProperty("id").GetString()!);
        var proposed = await client.SendAsync(HttpMethod.Post, "/api/admin/scopes", new JsonObject
        {
            ["actor_id"] = actor.ToString(),
            ["actor_kind"] = "service",
            ["operations"] = new JsonArray("read", "write", "list"),
            ["data_classes"] = new JsonArray("memory"),
            ["prefixes"] = new JsonArray("agents/"),
        }, admin.Token);
        Assert.True(proposed.StatusCode == 202, proposed.ToString());

        var approvals = Host.GetRequiredService<ApprovalService>();
        var request = (await approvals.GetAsync(Guid.Parse(proposed.Json.GetProperty("request_id").GetString()!)))!;
        var options = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["challenge"] = Base64Url.Encode(request.Challenge),
            ["rpId"] = new Uri(Host.Origin).Host,
            ["allowCredentials"] = new[] { new Dictionary<string, string> { ["type"] = "public-key", ["id"] = Base64Url.Encode(credentialId) } },
            ["userVerification"] = "required",
        });
        var vote = await approvals.VoteAsync(request.Id, AuthenticationCredential.Parse(client.Key.GetAssertion(options, Host.Origin)).Value);
        Assert.True(vote.Succeeded && vote.Value.Applied, vote.Failure?.ToString());
        return (actor, created.Json.GetProperty("service_key").GetString()!);
    }

    // The actor's key in a file of its own, mode 0600.
    private async Task<string> KeyFileAsync(string content)
    {
        var file = _folder.Combine("actor.key");
        await File.WriteAllTextAsync(file, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return file;
    }

    // keyward as a real process: its standard input is a pipe (closed after stdin), its output read as bytes.
    private static async Task<(int Code, byte[] Output, byte[] Error)> RunProcessAsync(byte[] stdin, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "keyward.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        using var error = new MemoryStream();
        var reading = Task.WhenAll(process.StandardOutput.BaseStream.CopyToAsync(output), process.StandardError.BaseStream.CopyToAsync(error));
        await process.StandardInput.BaseStream.WriteAsync(stdin);
        process.StandardInput.Close();
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            try
            {
                await process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                Assert.Fail("keyward " + string.Join(' ', args[..2]) + " did not end");
            }
        }

        await reading;
        return (process.ExitCode, output.ToArray(), error.ToArray());
    }
}
