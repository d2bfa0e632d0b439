using System.Security.Cryptography;
using System.Text;
using Keyward.Core.Vault;
using Keyward.Testing;

namespace Keyward.Core.Tests.Vault;

/// <summary><see cref="LocalKeyEncryptionKeys"/>: key files and variables, their checks, and wrapping.</summary>
public sealed class LocalKeyEncryptionKeysTests : IDisposable
{
    private readonly TempDirectory _folder = new("keyward-kek-");

    public void Dispose() => _folder.Dispose();

    private string KeyFile(string name, string text, UnixFileMode mode)
    {
        var path = _folder.Combine(name);
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    private static VaultOptions FileOptions(int epoch, string path) => new() { Keys = { [epoch] = new KeyEncryptionKeySource { File = path } } };

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Load_KeyFileOwnerOnly_LoadsItsEpoch()
    {
        var path = KeyFile("kek-1.key", NewKey() + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var keys = LocalKeyEncryptionKeys.Load(FileOptions(1, path));

        Assert.Equal([1], keys.Epochs);
        Assert.StartsWith("kek-", keys.KeyId(1), StringComparison.Ordinal);
        Assert.Null(keys.KeyId(2));
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherRead, "0404")]
    public void Load_KeyFileOpenToGroupOrOthers_IsRefusedNamingSettingAndFix(UnixFileMode mode, string octal)
    {
        var key = NewKey();
        var path = KeyFile("kek-2.key", key, mode);

        var error = Assert.Throws<VaultConfigurationException>(() => LocalKeyEncryptionKeys.Load(FileOptions(2, path)));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("Keyward:Vault:Keys:2:File", problem, StringComparison.Ordinal);
        Assert.Contains($"mode {octal}", problem, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 '{path}'", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(key, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64 at all")]
    [InlineData("AAAA")]
    [InlineData("")]
    public void Load_KeyFileNotThirtyTwoBytesInBase64_IsRefused(string text)
    {
        var path = KeyFile("kek-1.key", text, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<VaultConfigurationException>(() => LocalKeyEncryptionKeys.Load(FileOptions(1, path)));

        Assert.Contains("must hold exactly 32 random bytes in base64", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KeyFileMissing_SaysHowToCreateIt()
    {
        var path = _folder.Combine("absent.key");

        var error = Assert.Throws<VaultConfigurationException>(() => LocalKeyEncryptionKeys.Load(FileOptions(1, path)));

        Assert.Contains("openssl rand -base64 32", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EnvironmentVariable_LoadsAndEqualKeysHaveEqualIds()
    {
        var key = NewKey();
        var options = new VaultOptions { Keys = { [1] = new() { Environment = "A" }, [2] = new() { Environment = "B" }, [3] = new() { Environment = "C" } } };
        var variables = new Dictionary<string, string> { ["A"] = key, ["B"] = " " + key + "\n", ["C"] = NewKey() };

        using var keys = LocalKeyEncryptionKeys.Load(options, variables.GetValueOrDefault);

        Assert.Equal([1, 2, 3], keys.Epochs);
        Assert.Equal(keys.KeyId(1), keys.KeyId(2));
        Assert.NotEqual(keys.KeyId(1), keys.KeyId(3));
    }

    [Fact]
    public void Load_EveryProblem_IsReportedAtOnceWithoutKeyMaterial()
    {
        var shortKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var options = new VaultOptions
        {
            MaxValueBytes = 0,
            Keys =
            {
                [0] = new() { Environment = "A" },
                [1] = new() { Environment = "UNSET" },
                [2] = new() { Environment = "SHORT" },
                [3] = new() { Environment = "A", File = "/x" },
                [4] = new() { File = "relative.key" },
            },
        };

        var error = Assert.Throws<VaultConfigurationException>(() => LocalKeyEncryptionKeys.Load(options, new Dictionary<string, string> { ["SHORT"] = shortKey }.GetValueOrDefault));

        // Shape errors first (MaxValueBytes, epoch 0, 3, 4); the sources are read only once the shape is right.
        Assert.Equal(4, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith("Keyward:Vault:MaxValueBytes", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("Keyward:Vault:Keys:0", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("Keyward:Vault:Keys:3 must set exactly one", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("Keyward:Vault:Keys:4:File must be an absolute path", StringComparison.Ordinal));

        options = options with { MaxValueBytes = 1024, Keys = new() { [1] = new() { Environment = "UNSET" }, [2] = new() { Environment = "SHORT" } } };
        error = Assert.Throws<VaultConfigurationException>(() => LocalKeyEncryptionKeys.Load(options, new Dictionary<string, string> { ["SHORT"] = shortKey }.GetValueOrDefault));
        Assert.Equal(2, error.Problems.Count);
        Assert.Contains("Keyward:Vault:Keys:1:Environment: the environment variable 'UNSET' is not set", error.Problems[0], StringComparison.Ordinal);
        Assert.Contains("Keyward:Vault:Keys:2:Environment: the environment variable 'SHORT' must hold exactly 32", error.Problems[1], StringComparison.Ordinal);
        Assert.DoesNotContain(shortKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrapAsync_ThenUnwrap_RoundTripsOnlyUnderItsEpochAndAad()
    {
        using var keys = new TestKeks(1, 2).Load();
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var aad = Encoding.UTF8.GetBytes("bound");
        var wrapped = await keys.WrapAsync(1, dataKey, aad);
        var output = new byte[32];

        Assert.True(await keys.UnwrapAsync(1, wrapped, aad, output));
        Assert.Equal(dataKey, output);
        Assert.False(await keys.UnwrapAsync(2, wrapped, aad, output));
        Assert.All(output, b => Assert.Equal(0, b));
        Assert.False(await keys.UnwrapAsync(1, wrapped, Encoding.UTF8.GetBytes("bounD"), output));
        wrapped.Ciphertext[0] ^= 1;
        Assert.False(await keys.UnwrapAsync(1, wrapped, aad, output));
    }

    [Fact]
    public async Task WrapAsync_SameKeyTwice_UsesFreshNonces()
    {
        using var keys = new TestKeks(1).Load();
        var dataKey = RandomNumberGenerator.GetBytes(32);

        var first = await keys.WrapAsync(1, dataKey, ReadOnlyMemory<byte>.Empty);
        var second = await keys.WrapAsync(1, dataKey, ReadOnlyMemory<byte>.Empty);

        Assert.Equal(12, first.Nonce.Length);
        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
    }

    [Fact]
    public async Task WrapAsync_EpochWithoutKey_ThrowsNamingTheSettingNotAKey()
    {
        using var keys = new TestKeks(1).Load();

        var error = await Assert.ThrowsAsync<VaultKeyUnavailableException>(async () => await keys.WrapAsync(7, new byte[32], ReadOnlyMemory<byte>.Empty));

        Assert.Equal(7, error.Epoch);
        Assert.Contains("Keyward:Vault:Keys:7:File", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrapAndUnwrap_ManyAtOnce_EachRoundTrips()
    {
        // The provider reuses cipher instances across calls; none may be used by two calls at once.
        using var keys = new TestKeks(1).Load();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                var dataKey = RandomNumberGenerator.GetBytes(32);
                var aad = RandomNumberGenerator.GetBytes(20);
                var output = new byte[32];
                if (!await keys.UnwrapAsync(1, await keys.WrapAsync(1, dataKey, aad), aad, output) || !dataKey.AsSpan().SequenceEqual(output))
                {
                    return false;
                }
            }

            return true;
        })));

        Assert.All(results, Assert.True);
    }

    [Fact]
    public async Task Dispose_RefusesFurtherUse_AndToStringNeverShowsKeys()
    {
        var keks = new TestKeks(1);
        var keys = keks.Load();
        var text = keys.ToString();

        keys.Dispose();

        Assert.DoesNotContain(keks.Variables.Values.Single(), text, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => keys.KeyId(1));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await keys.WrapAsync(1, new byte[32], ReadOnlyMemory<byte>.Empty));
    }
}
