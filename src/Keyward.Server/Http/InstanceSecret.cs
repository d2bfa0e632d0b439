using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Http;

/// <summary>
/// This installation's root secret: 32 random bytes in <c>instance.key</c> in the data directory (0600), created on
/// first use. Features never use it directly; each derives its own key by purpose (HMAC-SHA256 of the purpose), so
/// values derived for one purpose say nothing about another. Every node of a cluster must share the file.
/// </summary>
internal sealed class InstanceSecret(IOptions<KeywardOptions> options)
{
    public const string FileName = "instance.key";

    private readonly Lazy<byte[]> _root = new(() => LoadOrCreate(options.Value.DataDirectory), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The key for one purpose (a constant string naming the feature, e.g. <c>signin.dummy-credentials</c>).</summary>
    public byte[] Derive(string purpose) => HMACSHA256.HashData(_root.Value, Encoding.UTF8.GetBytes(purpose));

    private static byte[] LoadOrCreate(string directory)
    {
        PrivateDirectory.Create(directory);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            SecretFile.Write(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        var root = Convert.FromBase64String(File.ReadAllText(path).Trim());
        return root.Length == 32
            ? root
            : throw new InvalidOperationException($"{path} is not a Keyward instance key (32 bytes, base64). Restore it from a backup, or delete it to start a new one (recovery codes and other values derived from it stop working).");
    }
}
