using Keyward.Core.Credentials;
using Keyward.Testing;
using Keyward.Testing.LeakScan;

namespace Keyward.Core.Tests.Support;

/// <summary>
/// The leak scan that ends the test command: a well-formed credential (valid checksum), a setup-code shape or a PEM
/// private key in any file is a finding, reported without the secret; a malformed token is not; files on the name
/// allow-list are skipped, and only those.
/// </summary>
public sealed class LeakScannerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("keyward-leakscan-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Scan_PlantedSessionTokenWithValidChecksum_IsFoundWithoutPrintingIt()
    {
        var token = SecretToken.Generate(CredentialKind.Session);
        Write("logs/keyward.log", $"Information Keyward: something {token} else\n");

        var finding = Assert.Single(LeakScanner.Scan(_root));

        Assert.Equal(Path.Combine("logs", "keyward.log"), finding.Path);
        Assert.Equal("credential kws_", finding.Kind);
        Assert.Equal("Information Keyward: something ".Length, finding.Offset);
        Assert.DoesNotContain(token, finding.ToString(), StringComparison.Ordinal);
        Assert.StartsWith(finding.Prefix, token, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_DocumentedPlaceholders_AreNoFinding_ButAnotherCodeBesideThemIs()
    {
        // The README (carried by the tool package) shows ABCD-EFGH-JKMN; problems say "Codes are XXXX-XXXX-XXXX".
        Write("tmp/tool/README.md", "setup code ABCD-EFGH-JKMN, recovery codes XXXX-XXXX-XXXX, and a real one 7K2M-Q9PA-ZX4R\n");

        var finding = Assert.Single(LeakScanner.Scan(_root));

        Assert.Equal("setup-code shape", finding.Kind);
        Assert.Equal("7K2M", finding.Prefix);
    }

    [Fact]
    public void Scan_TokenWithBadChecksum_IsNotAFinding()
    {
        var token = SecretToken.Generate(CredentialKind.Session);
        var broken = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        Write("problems/problems.jsonl", "{\"detail\":\"" + broken + "\"}");

        Assert.Empty(LeakScanner.Scan(_root));
    }

    [Theory]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n")]
    public void Scan_PemPrivateKey_IsFound(string pem)
    {
        Write("tmp/keyward-test-1/export/dump.txt", pem);

        Assert.Equal("PEM private key", Assert.Single(LeakScanner.Scan(_root)).Kind);
    }

    [Fact]
    public void Scan_SetupCodeShape_IsFound_ButAnUpperCaseGuidIsNot()
    {
        Write("logs/keyward.log", $"code {HumanCode.Generate()} printed\n{Guid.NewGuid().ToString().ToUpperInvariant()}\n");

        Assert.Equal("setup-code shape", Assert.Single(LeakScanner.Scan(_root)).Kind);
    }

    [Fact]
    public void Scan_AllowListedFile_IsSkipped_ButTheSameContentElsewhereIsNot()
    {
        var secret = "-----BEGIN PRIVATE KEY-----\n" + SecretToken.Generate(CredentialKind.Internal) + "\n";
        Write("tmp/data/instance.key", secret);
        Write("tmp/data/keyward.db", secret);
        Write("tmp/data/instance.key.txt", secret);

        var findings = LeakScanner.Scan(_root);

        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal(Path.Combine("tmp", "data", "instance.key.txt"), f.Path));
    }

    [Fact]
    public void TempDirectory_UnderTheTestCommand_IsInTheRunDirectoryAndKept_ElseInSystemTempAndDeleted()
    {
        var temp = new TempDirectory("keyward-leakscan-temp-");
        temp.Dispose();

        if (TestRun.Directory is { } run)
        {
            Assert.StartsWith(Path.Combine(run, "tmp") + Path.DirectorySeparatorChar, temp.Path, StringComparison.Ordinal);
            Assert.True(Directory.Exists(temp.Path));
        }
        else
        {
            Assert.StartsWith(Path.GetTempPath(), temp.Path + Path.DirectorySeparatorChar, StringComparison.Ordinal);
            Assert.False(Directory.Exists(temp.Path));
        }
    }

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
