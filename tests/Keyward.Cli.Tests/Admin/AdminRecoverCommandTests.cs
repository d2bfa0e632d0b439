using System.Text.RegularExpressions;
using Keyward.Cli.Admin;
using Keyward.Cli.Tests.Broker;
using Keyward.Client;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Cli.Tests.Admin;

/// <summary><c>keyward admin recover</c>: break-glass for an account that lost every key and code, audited, single use, 15 minutes.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes the folder.")]
public sealed partial class AdminRecoverCommandTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("keyward-cli-recover-");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private KeywardTestHost? _host;

    private KeywardTestHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() =>
        _host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions { DataDirectory = _data.Path, Time = _time });

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    [Fact]
    public async Task Recover_ExistingAccount_PrintsACodeThatRegistersOneNewKeyForItOnce()
    {
        using var client = Host.CreateClient();
        await client.RegisterAdminAsync(Host.SetupCode!);
        var lost = await client.LoginAsync("admin");
        using var output = new StringWriter();

        var exit = await AdminCommands.RecoverAsync(_data.Path, new StorageOptions(), "admin", output, TextWriter.Null, _time, default);

        Assert.Equal(0, exit);
        var code = Code().Match(output.ToString()).Value;
        Assert.NotEmpty(code);
        var newKey = KeywardTestClient.NewKey();
        var registered = await client.Client.RegisterAsync(newKey, RegistrationRequest.WithSetupCode(code, "admin", "replacement"));
        Assert.Equal(("admin", "admin", "replacement"), (registered.Account, registered.Role, registered.Key.Name));
        Assert.Equal("session_revoked", (await client.StatusAsync(lost.Token)).Code);
        Assert.Equal("admin", (await client.LoginAsync("admin", newKey)).Account);
        var again = await Assert.ThrowsAsync<KeywardProblemException>(() => client.Client.RegisterAsync(KeywardTestClient.NewKey(), RegistrationRequest.WithSetupCode(code, "admin")));
        Assert.Equal("setup_code_invalid", again.Code);

        var events = await Host.GetRequiredService<AuditReader>().ListAsync(new AuditQuery { Action = AuditActions.BreakGlassCodeIssued });
        var issued = Assert.Single(events.Events, e => e.Action == AuditActions.BreakGlassCodeIssued);
        Assert.Equal("admin", issued.Target);
        Assert.DoesNotContain(events.Events, e => string.Join(' ', e.Details.Values).Contains(code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Recover_CodeFor15MinutesAndForItsAccountOnly()
    {
        using var client = Host.CreateClient();
        await client.RegisterAdminAsync(Host.SetupCode!);
        using var output = new StringWriter();
        Assert.Equal(0, await AdminCommands.RecoverAsync(_data.Path, new StorageOptions(), "admin", output, TextWriter.Null, _time, default));
        var code = Code().Match(output.ToString()).Value;

        var otherName = await Assert.ThrowsAsync<KeywardProblemException>(() => client.Client.RegisterAsync(KeywardTestClient.NewKey(), RegistrationRequest.WithSetupCode(code, "mallory")));
        _time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        var late = await Assert.ThrowsAsync<KeywardProblemException>(() => client.Client.RegisterAsync(KeywardTestClient.NewKey(), RegistrationRequest.WithSetupCode(code, "admin")));

        Assert.Equal("setup_code_invalid", otherName.Code);
        Assert.Equal("setup_code_invalid", late.Code);
    }

    [Fact]
    public async Task Recover_DisabledAccount_IssuesNoCode_AndACodeIssuedBeforeTheDisableIsRefusedAtBegin()
    {
        using var client = Host.CreateClient();
        await client.RegisterAdminAsync(Host.SetupCode!);
        var admin = await client.LoginAsync("admin");
        await client.RegisterWithInviteAsync(await client.CreateInviteAsync(admin.Token, "bob", "user"), KeywardTestClient.NewKey());
        using var before = new StringWriter();
        Assert.Equal(0, await AdminCommands.RecoverAsync(_data.Path, new StorageOptions(), "bob", before, TextWriter.Null, _time, default));
        var code = Code().Match(before.ToString()).Value;
        await client.StepUpAsync(admin.Token, "admin");
        Assert.Equal(200, (await client.PostAsync("/api/admin/accounts/bob/disable", token: admin.Token)).StatusCode);

        using var error = new StringWriter();
        Assert.Equal(2, await AdminCommands.RecoverAsync(_data.Path, new StorageOptions(), "bob", TextWriter.Null, error, _time, default));
        Assert.StartsWith("The account \"bob\" is disabled", error.ToString(), StringComparison.Ordinal);

        var refused = await Assert.ThrowsAsync<KeywardProblemException>(() => client.Client.BeginRegistrationAsync(RegistrationRequest.WithSetupCode(code, "bob")));
        Assert.Equal((System.Net.HttpStatusCode.Forbidden, "account_disabled"), (refused.Status, refused.Code));
    }

    [Fact]
    public async Task Recover_UnknownAccount_ExitsTwoWithASentence()
    {
        using var client = Host.CreateClient();
        await client.RegisterAdminAsync(Host.SetupCode!);

        var (exit, output, error) = await CommandLineRun.RunAsync("admin", "recover", "--data-dir", _data.Path, "--account", "nobody");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("No account named \"nobody\"", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recover_NoDatabase_ExitsTwoWithASentence()
    {
        using var empty = new TempDirectory("keyward-cli-recover-empty-");

        var (exit, _, error) = await CommandLineRun.RunAsync("admin", "recover", "--data-dir", empty.Path, "--account", "admin");

        Assert.Equal(2, exit);
        Assert.Contains("No Keyward database in", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [GeneratedRegex("[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")]
    private static partial Regex Code();
}
