using System.Security.Cryptography;
using Keyward.Core.Vault;

namespace Keyward.Core.Tests.Vault;

/// <summary>Random KEKs for epochs, handed to <see cref="LocalKeyEncryptionKeys"/> through a fake environment.</summary>
internal sealed class TestKeks
{
    private readonly Dictionary<string, string> _variables = [];

    /// <summary>A fresh random key (base64) for each of <paramref name="epochs"/>.</summary>
    public TestKeks(params int[] epochs)
    {
        foreach (var epoch in epochs)
        {
            Set(epoch, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }
    }

    public IReadOnlyDictionary<string, string> Variables => _variables;

    public TestKeks Set(int epoch, string base64)
    {
        _variables[Variable(epoch)] = base64;
        return this;
    }

    public static string Variable(int epoch) => $"KEYWARD_TEST_KEK_{epoch}";

    public VaultOptions Options(int maxValueBytes = 64 * 1024, int rekeyBatchSize = 100) => new()
    {
        MaxValueBytes = maxValueBytes,
        RekeyBatchSize = rekeyBatchSize,
        Keys = _variables.Keys.ToDictionary(v => int.Parse(v["KEYWARD_TEST_KEK_".Length..], System.Globalization.CultureInfo.InvariantCulture), v => new KeyEncryptionKeySource { Environment = v }),
    };

    public LocalKeyEncryptionKeys Load() => LocalKeyEncryptionKeys.Load(Options(), Read);

    public string? Read(string name) => _variables.GetValueOrDefault(name);
}
