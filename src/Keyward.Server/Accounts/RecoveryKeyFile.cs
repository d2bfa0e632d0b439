using Keyward.Core.Accounts;
using Keyward.Server.Http;

namespace Keyward.Server.Accounts;

/// <summary>
/// The recovery-code key, <c>&lt;data&gt;/recovery/hmac.key</c> (owner-only): made once, then loaded at every start.
/// Outside the database on purpose: a stolen database alone cannot test guesses against the codes' hashes. Several
/// broker nodes must share this file (like the audit key).
/// </summary>
internal static class RecoveryKeyFile
{
    public const string Directory = "recovery";

    public static RecoveryCodeKey LoadOrCreate(string dataDirectory)
    {
        var folder = Path.Combine(dataDirectory, Directory);
        var path = Path.Combine(folder, "hmac.key");
        if (File.Exists(path))
        {
            return new RecoveryCodeKey(Convert.FromBase64String(File.ReadAllText(path).Trim()));
        }

        PrivateDirectory.Create(folder);
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        SecretFile.Write(path, Convert.ToBase64String(key));
        return new RecoveryCodeKey(key);
    }
}
