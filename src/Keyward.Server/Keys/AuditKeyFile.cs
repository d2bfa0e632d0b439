using Keyward.Core.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Keys;

/// <summary>
/// The tree-head signing key in <c>&lt;data&gt;/audit/audit-key.pem</c> (PKCS#8 PEM, mode 0600), made at first start.
/// Its public half is published at <c>GET /api/audit/key</c> and written beside it as <c>audit-key.pub.pem</c> for
/// <c>keyward audit export</c>. Several broker nodes on one PostgreSQL database should share this file, or each
/// node's heads carry its own key id.
/// </summary>
public static class AuditKeyFile
{
    /// <summary>The folder under the data directory.</summary>
    public const string Directory = "audit";

    /// <summary>The private key's file name.</summary>
    public const string PrivateKeyFile = "audit-key.pem";

    /// <summary>The public key's file name.</summary>
    public const string PublicKeyFile = "audit-key.pub.pem";

    /// <summary>Where the private key lives.</summary>
    public static string PrivateKeyPath(string dataDirectory) => Path.Combine(dataDirectory, Directory, PrivateKeyFile);

    /// <summary>Where the public key lives.</summary>
    public static string PublicKeyPath(string dataDirectory) => Path.Combine(dataDirectory, Directory, PublicKeyFile);

    /// <summary>Loads the key, or makes and stores one when there is none. Two processes racing here end with the same key.</summary>
    public static AuditSigningKey LoadOrCreate(string dataDirectory)
    {
        var path = PrivateKeyPath(dataDirectory);
        if (!File.Exists(path))
        {
            PrivateDirectory.Create(Path.GetDirectoryName(path)!);
            using var fresh = AuditSigningKey.Generate();
            var staged = $"{path}.{Guid.NewGuid():N}.new";
            SecretFile.Write(staged, fresh.ExportPrivateKeyPem());
            try
            {
                // Never overwrite: the first key written is the one every later start uses.
                File.Move(staged, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(staged);
            }
        }

        var key = AuditSigningKey.FromPrivateKeyPem(File.ReadAllText(path));
        var publicPath = PublicKeyPath(dataDirectory);
        if (!File.Exists(publicPath) || File.ReadAllText(publicPath) != key.PublicKeyPem)
        {
            // Owner-only like everything in the data directory: the key may be loaded after the start's tightening pass.
            SecretFile.Write(publicPath, key.PublicKeyPem);
        }

        return key;
    }

    /// <summary>The public key (DER SubjectPublicKeyInfo) of a data directory's audit key, or null when it has none.</summary>
    public static byte[]? ReadPublicKey(string dataDirectory)
    {
        var publicPath = PublicKeyPath(dataDirectory);
        if (File.Exists(publicPath))
        {
            using var ec = System.Security.Cryptography.ECDsa.Create();
            ec.ImportFromPem(File.ReadAllText(publicPath));
            return ec.ExportSubjectPublicKeyInfo();
        }

        var path = PrivateKeyPath(dataDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        using var key = AuditSigningKey.FromPrivateKeyPem(File.ReadAllText(path));
        return key.SubjectPublicKeyInfo;
    }
}
