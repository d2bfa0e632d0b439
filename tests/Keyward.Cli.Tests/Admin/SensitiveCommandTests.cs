using Keyward.Authenticator;
using Keyward.Cli.Tests.Broker;
using Keyward.Core.Audit;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Cli.Tests.Admin;

/// <summary>The CLI's sensitive commands perform the step-up Keyward asks for with the key file, never the session alone.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes the folder.")]
public sealed class SensitiveCommandTests : IAsyncLifetime
{
    private const string Passphrase = "correct horse battery staple";
    private readonly TempDirectory _folder = new("keyward-cli-sensitive-");
    private KeywardTestHost? _host;

    private KeywardTestHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("KEYWARD_KEY_PASSPHRASE", Passphrase);
        _host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions { Transport = KeywardTransport.Kestrel, DataDirectory = _folder.Combine("data") });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task AdminInviteAndRecoveryCodes_WithASessionAlone_StepUpWithTheKeyFileThenSucceed()
    {
        var key = VirtualAuthenticator.Create();
        using var client = new KeywardTestClient(Host, key);
        await client.RegisterAdminAsync(Host.SetupCode!);
        var session = await client.LoginAsync("admin");
        var keyFile = _folder.Combine("key.json");
        var tokenFile = _folder.Combine("session");
        key.Save(keyFile, Passphrase);
        await File.WriteAllTextAsync(tokenFile, session.Token);
        string[] common = ["--server", Host.Origin, "--cacert", Host.CaFile, "--key", keyFile, "--token-file", tokenFile];

        var invite = await CommandLineRun.RunAsync(["admin", "invite", "--account", "bob", .. common]);
        var codes = await CommandLineRun.RunAsync(["recovery-codes", .. common]);

        Assert.True(invite.Code == 0, invite.Error);
        Assert.Contains("\"invite\": \"kwi_", invite.Output, StringComparison.Ordinal);
        Assert.True(codes.Code == 0, codes.Error);
        Assert.Contains("\"recovery_codes\"", codes.Output, StringComparison.Ordinal);
        var events = await Host.Services.GetRequiredService<AuditReader>().ListAsync(new AuditQuery { Action = AuditActions.StepUpSucceeded });
        Assert.Equal(["admin", "recovery.regenerate"], events.Events.Select(e => e.Details["purpose"]));
    }

    [Fact]
    public async Task AdminInvite_KeyFileOfAnotherAccount_IsRefusedAndCreatesNothing()
    {
        using var client = new KeywardTestClient(Host);
        await client.RegisterAdminAsync(Host.SetupCode!);
        var session = await client.LoginAsync("admin");
        var stranger = VirtualAuthenticator.Create();
        var keyFile = _folder.Combine("stranger.json");
        var tokenFile = _folder.Combine("session");
        stranger.Save(keyFile, Passphrase);
        await File.WriteAllTextAsync(tokenFile, session.Token);

        var (code, _, error) = await CommandLineRun.RunAsync("admin", "invite", "--account", "bob", "--server", Host.Origin, "--cacert", Host.CaFile, "--key", keyFile, "--token-file", tokenFile);

        Assert.Equal(1, code);
        Assert.NotEmpty(error);
        var created = await Host.Services.GetRequiredService<AuditReader>().ListAsync(new AuditQuery { Action = AuditActions.InviteCreated });
        Assert.DoesNotContain(created.Events, e => e.Outcome == AuditOutcomes.Success);
    }
}
