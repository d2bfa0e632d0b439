using Keyward.Cli.Tests.Broker;
using Keyward.Testing;

namespace Keyward.Cli.Tests.Vault;

/// <summary><c>keyward vault put|get|list</c>: an actor key from a file only, a value never from an argument.</summary>
public sealed class VaultActorCommandsTests
{
    [Fact]
    public async Task Put_ValueAsAnArgument_IsAUsageError()
    {
        using var dir = new TempDirectory("keyward-cli-vault-");
        var key = dir.Combine("actor.key");
        await File.WriteAllTextAsync(key, "kwv_" + new string('a', 40));

        var (code, _, error) = await CommandLineRun.RunAsync("vault", "put", "--key-file", key, "--actor", Guid.NewGuid().ToString(), "db/prod", "hunter2");

        Assert.NotEqual(0, code);
        Assert.Contains("hunter2", error, StringComparison.Ordinal); // the parser names the unexpected argument; nothing was sent
    }

    [Fact]
    public async Task Get_KeyFileWithoutAnActorKey_IsRefusedBeforeAnyRequest()
    {
        using var dir = new TempDirectory("keyward-cli-vault-");
        var key = dir.Combine("session.key");
        await File.WriteAllTextAsync(key, "kws_" + new string('a', 40));

        // No Keyward listens at this address: the command must stop before connecting.
        var (code, output, error) = await CommandLineRun.RunAsync("vault", "get", "--key-file", key, "--actor", Guid.NewGuid().ToString(), "--server", "https://127.0.0.1:9", "db/prod");

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("does not hold an actor key", error, StringComparison.Ordinal);
    }
}
