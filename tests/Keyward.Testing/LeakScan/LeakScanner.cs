using System.IO.Enumeration;
using System.Text;
using System.Text.RegularExpressions;
using Keyward.Core.Credentials;

namespace Keyward.Testing.LeakScan;

/// <summary>
/// The leak scan that ends the test command (issue 16): every file under the run directory is read as bytes and
/// searched for Keyward's credential format (<c>kw&lt;k&gt;_</c> + 49 base62 characters that pass
/// <see cref="SecretToken.IsWellFormed"/>, so the checksum must hold), setup-code shapes (<c>XXXX-XXXX-XXXX</c>,
/// Crockford base32: setup, break-glass, recovery and support codes) and PEM private keys. Files that hold secrets by
/// design are skipped by name only (<see cref="AllowList"/>), never by folder.
/// </summary>
public static partial class LeakScanner
{
    /// <summary>
    /// Files that hold secrets by design, by file name (<c>*</c> matches any run of characters), each with why. Only
    /// these are skipped; every other file in the same folders is read.
    /// </summary>
    public static IReadOnlyList<(string Pattern, string Reason)> AllowList { get; } =
    [
        ("instance.key", "a data directory's instance secret (InstanceSecret)"),
        ("*.key", "TLS private keys of the local certificate authority (tls/ca.key, tls/<host>.key) and of test upstreams"),
        ("audit-key.pem", "the audit log's signing key"),
        ("assertion-*.pem", "the identity-assertion signing keys (keys/)"),
        ("capability-*.pem", "the capability-token signing keys (keys/, docs/capabilities.md)"),
        ("keyward.db", "the SQLite database: credential hashes, ceremonies (audit exports are files of their own, scanned)"),
        ("keyward.db-wal", "the SQLite database's write-ahead log"),
        ("keyward.db-shm", "the SQLite database's shared memory"),
        ("keyward.db-journal", "the SQLite database's rollback journal"),
        ("key.json", "a virtual security key's file (its private keys), written by the CLI and authenticator tests"),
        ("session", "the CLI's saved session token (`keyward login`, mode 0600), its one place by design"),
    ];

    private static readonly IReadOnlyList<(string Prefix, CredentialKind Kind)> Kinds =
        [.. Enum.GetValues<CredentialKind>().Select(k => (SecretToken.Prefix(k), k))];

    /// <summary>Every finding under <paramref name="root"/>, in path order; empty when the run is clean.</summary>
    public static IReadOnlyList<LeakFinding> Scan(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var findings = new List<LeakFinding>();
        foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false }).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (IsAllowed(name))
            {
                continue;
            }

            byte[] content;
            try
            {
                content = File.ReadAllBytes(file);
            }
            catch (IOException e)
            {
                // Fail closed: a file the scan cannot read is reported, never passed over.
                findings.Add(new LeakFinding(Path.GetRelativePath(root, file), 0, "unreadable: " + e.GetType().Name, string.Empty));
                continue;
            }

            findings.AddRange(ScanText(Path.GetRelativePath(root, file), Encoding.Latin1.GetString(content)));
        }

        return findings;
    }

    /// <summary>True when the file name matches a pattern of <see cref="AllowList"/>.</summary>
    public static bool IsAllowed(string fileName) =>
        AllowList.Any(a => FileSystemName.MatchesSimpleExpression(a.Pattern, fileName, ignoreCase: false));

    /// <summary>The findings in one file's content (read as Latin-1, so byte offsets are character offsets).</summary>
    public static IEnumerable<LeakFinding> ScanText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match m in TokenShape().Matches(text))
        {
            if (Kinds.FirstOrDefault(k => m.Value.StartsWith(k.Prefix, StringComparison.Ordinal)) is { Prefix: not null } kind
                && SecretToken.IsWellFormed(kind.Kind, m.Value))
            {
                yield return new LeakFinding(path, m.Index, "credential " + kind.Prefix, m.Value[..8]);
            }
        }

        foreach (Match m in HumanCodeShape().Matches(text))
        {
            // The documented placeholders are no codes: a problem's detail says "Codes are XXXX-XXXX-XXXX", and the README's
            // walk-through (which the tool package carries) prints ABCD-EFGH-JKMN.
            if (m.Value is "XXXX-XXXX-XXXX" or "ABCD-EFGH-JKMN")
            {
                continue;
            }

            yield return new LeakFinding(path, m.Index, "setup-code shape", m.Value[..4]);
        }

        foreach (Match m in PemPrivateKey().Matches(text))
        {
            yield return new LeakFinding(path, m.Index, "PEM private key", m.Value[..16]);
        }
    }

    // kw<k>_ + 43 base62 body + 6 base62 checksum, not inside a longer run of word characters.
    [GeneratedRegex("(?<![0-9A-Za-z_])kw[a-z]_[0-9A-Za-z]{49}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex TokenShape();

    // XXXX-XXXX-XXXX in Crockford base32 (no I, L, O, U), not part of a longer dashed run (an upper-case GUID).
    [GeneratedRegex("(?<![-0-9A-Za-z])[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}(?![-0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex HumanCodeShape();

    [GeneratedRegex("-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----", RegexOptions.CultureInvariant)]
    private static partial Regex PemPrivateKey();
}
