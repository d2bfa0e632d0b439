using Keyward.Authenticator;
using Keyward.Cli.Tests.Broker;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Microsoft.Data.Sqlite;

namespace Keyward.Cli.Tests.Support;

/// <summary>
/// <c>keyward support open|list|end|join</c> against a real Keyward (issue 11): an ad-hoc session prints its support
/// code once (the list never shows it), join prints a <c>kwj_</c>, and end closes the session.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes the folder.")]
public sealed class SupportCommandTests : IAsyncLifetime
{
    private const string Passphrase = "correct horse battery staple";
    private readonly TempDirectory _folder = new("keyward-cli-support-");
    private KeywardTestHost? _host;

    private KeywardTestHost Host => _host ?? throw new InvalidOperationException("Not started.");

    private string KeyFile => _folder.Combine("key.json");

    private string TokenFile => _folder.Combine("config", "session");

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
    public async Task OpenListJoinEnd_AdHoc_PrintsTheCodeOnce_AndAJoinToken()
    {
        await LoginAdminAsync();

        var opened = await CommandLineRun.RunAsync(["support", "open", "--reason", "printer jam", "--json", "--token-file", TokenFile]);
        Assert.True(opened.Code == 0, opened.Error);
        using var json = System.Text.Json.JsonDocument.Parse(opened.Output);
        var id = json.RootElement.GetProperty("id").GetString()!;
        var code = json.RootElement.GetProperty("support_code").GetString()!;
        Assert.Matches("^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", code);

        var list = await CommandLineRun.RunAsync(["support", "list", "--token-file", TokenFile]);
        Assert.True(list.Code == 0, list.Error);
        Assert.Contains(id, list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(code, list.Output, StringComparison.Ordinal);

        var joined = await CommandLineRun.RunAsync(["support", "join", id, "--key", KeyFile, "--token-file", TokenFile]);
        Assert.True(joined.Code == 0, joined.Error);
        Assert.Contains("kwj_", joined.Output, StringComparison.Ordinal);
        Assert.Contains($"/viewer/v1/sessions/{id}", joined.Output, StringComparison.Ordinal);

        var ended = await CommandLineRun.RunAsync(["support", "end", id, "--token-file", TokenFile]);
        Assert.True(ended.Code == 0, ended.Error);
        var again = await CommandLineRun.RunAsync(["support", "end", id, "--token-file", TokenFile]);
        Assert.Equal(1, again.Code);
        Assert.Contains("support_session_ended", again.Error + again.Output, StringComparison.Ordinal);
    }

    private async Task LoginAdminAsync()
    {
        var key = VirtualAuthenticator.Create();
        using (var client = new KeywardTestClient(Host, key))
        {
            await client.RegisterAdminAsync(Host.SetupCode!);
        }

        key.Save(KeyFile, Passphrase);
        var login = await CommandLineRun.RunAsync(["login", "--username", "admin", "--server", Host.Origin, "--cacert", Host.CaFile, "--key", KeyFile, "--token-file", TokenFile]);
        Assert.True(login.Code == 0, login.Error);
    }
}
