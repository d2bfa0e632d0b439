using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.WebAuthn;
using Keyward.WebAuthn.Cose;

namespace Keyward.Authenticator.Tests;

public sealed class PersistenceTests : IDisposable
{
    private const string Passphrase = "correct horse battery staple";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("keyward-authenticator-tests-");

    private string KeyPath => Path.Combine(_directory.FullName, "key.json");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void SaveLoad_RoundTrip_KeepsOptionsCredentialsAndKeys()
    {
        var options = TestOptions.Fast with { SignCounter = SignCounterMode.Increment, BackupEligible = true, BackedUp = true, Aaguid = [.. Enumerable.Range(0, 16).Select(i => (byte)i)] };
        var key = VirtualAuthenticator.Create(options);
        var es256 = Decoded.Registration(key.MakeCredential(TestOptions.Creation(residentKey: "required"), TestOptions.Origin));
        var ed25519 = Decoded.Registration(key.MakeCredential(TestOptions.Creation(algorithms: [-19], userId: [5], residentKey: "discouraged"), TestOptions.Origin));
        key.GetAssertion(TestOptions.Request(allow: [es256.RawId]), TestOptions.Origin);

        key.Save(KeyPath, Passphrase);
        var loaded = VirtualAuthenticator.Load(KeyPath, Passphrase);

        Assert.Equal(key.Options with { Aaguid = [] }, loaded.Options with { Aaguid = [] });
        Assert.Equal(options.Aaguid, loaded.Options.Aaguid);
        Assert.Equal(key.Credentials.Count, loaded.Credentials.Count);
        foreach (var (before, after) in key.Credentials.Zip(loaded.Credentials))
        {
            Assert.Equal(before with { CredentialId = [], UserHandle = [], PublicKey = [] }, after with { CredentialId = [], UserHandle = [], PublicKey = [] });
            Assert.Equal(before.CredentialId, after.CredentialId);
            Assert.Equal(before.UserHandle, after.UserHandle);
            Assert.Equal(before.PublicKey, after.PublicKey);
        }

        // The loaded private keys sign for the public keys registered before saving, and counters carry on.
        var a = Decoded.Assertion(loaded.GetAssertion(TestOptions.Request(allow: [es256.RawId]), TestOptions.Origin));
        var b = Decoded.Assertion(loaded.GetAssertion(TestOptions.Request(allow: [ed25519.RawId]), TestOptions.Origin));
        Assert.True(es256.CredentialPublicKey.Verify(a.SignedBytes(), a.Member("signature")));
        Assert.True(ed25519.CredentialPublicKey.Verify(b.SignedBytes(), b.Member("signature")));
        Assert.Equal(2u, a.AuthenticatorData.SignCount);
        Assert.Equal(CoseAlgorithm.Ed25519, ed25519.CredentialPublicKey.Algorithm);
    }

    [Fact]
    public void Save_WritesTheDocumentedEnvelopeAndNoPlaintext()
    {
        var key = VirtualAuthenticator.Create(TestOptions.Fast);
        key.MakeCredential(TestOptions.Creation(), TestOptions.Origin);

        key.Save(KeyPath, Passphrase);
        var text = File.ReadAllText(KeyPath);
        var root = JsonDocument.Parse(text).RootElement;

        Assert.Equal("keyward-virtual-key/1", root.GetProperty("format").GetString());
        Assert.Equal("pbkdf2-sha256", root.GetProperty("kdf").GetString());
        Assert.Equal(VirtualAuthenticatorOptions.MinimumKeyFileIterations, root.GetProperty("iterations").GetInt32());
        Assert.Equal(16, Decoded.Bytes(root, "salt").Length);
        Assert.Equal(12, Decoded.Bytes(root, "nonce").Length);
        Assert.Equal(16, Decoded.Bytes(root, "tag").Length);
        Assert.NotEmpty(Decoded.Bytes(root, "ciphertext"));
        Assert.DoesNotContain("example.org", text, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Passphrase, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Default_Uses600000Iterations()
    {
        Assert.Equal(600_000, new VirtualAuthenticatorOptions().KeyFileIterations);
        Assert.Equal(600_000, VirtualAuthenticatorOptions.DefaultKeyFileIterations);
    }

    [Fact]
    public void Load_WrongPassphrase_ReturnsKeyFileUnreadableWithoutThePassphrase()
    {
        const string wrong = "Tr0ub4dor&3-wrong";
        VirtualAuthenticator.Create(TestOptions.Fast).Save(KeyPath, Passphrase);

        var result = VirtualAuthenticator.TryLoad(KeyPath, wrong);
        var thrown = Assert.Throws<AuthenticatorException>(() => VirtualAuthenticator.Load(KeyPath, wrong));

        Assert.Equal(AuthenticatorError.KeyFileUnreadable, result.Failure?.Error);
        Assert.Contains("wrong passphrase or the file was modified", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Equal(AuthenticatorError.KeyFileUnreadable, thrown.Error);
        Assert.Null(thrown.InnerException);
        Assert.DoesNotContain(wrong, thrown.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Passphrase, thrown.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("tag")]
    [InlineData("nonce")]
    [InlineData("salt")]
    public void Load_TamperedMember_ReturnsKeyFileUnreadable(string member)
    {
        var key = VirtualAuthenticator.Create(TestOptions.Fast);
        key.MakeCredential(TestOptions.Creation(), TestOptions.Origin);
        key.Save(KeyPath, Passphrase);

        Rewrite(envelope =>
        {
            Assert.True(Base64Url.TryDecode(envelope[member]!.GetValue<string>(), out var bytes));
            bytes[^1] ^= 0x01;
            envelope[member] = Base64Url.Encode(bytes);
        });
        var thrown = Assert.Throws<AuthenticatorException>(() => VirtualAuthenticator.Load(KeyPath, Passphrase));

        Assert.Equal(AuthenticatorError.KeyFileUnreadable, thrown.Error);
        Assert.DoesNotContain(Passphrase, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TamperedIterations_ReturnsKeyFileUnreadable()
    {
        VirtualAuthenticator.Create(TestOptions.Fast).Save(KeyPath, Passphrase);

        Rewrite(envelope => envelope["iterations"] = VirtualAuthenticatorOptions.MinimumKeyFileIterations + 1);

        Assert.Equal(AuthenticatorError.KeyFileUnreadable, VirtualAuthenticator.TryLoad(KeyPath, Passphrase).Failure?.Error);
    }

    [Theory]
    [InlineData("format", "keyward-virtual-key/2")]
    [InlineData("kdf", "scrypt")]
    public void Load_UnknownFormatOrKdf_ReturnsKeyFileInvalid(string member, string value)
    {
        VirtualAuthenticator.Create(TestOptions.Fast).Save(KeyPath, Passphrase);

        Rewrite(envelope => envelope[member] = value);

        Assert.Equal(AuthenticatorError.KeyFileInvalid, VirtualAuthenticator.TryLoad(KeyPath, Passphrase).Failure?.Error);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"format\":\"keyward-virtual-key/1\",\"kdf\":\"pbkdf2-sha256\",\"iterations\":1}")]
    [InlineData("{\"format\":\"keyward-virtual-key/1\",\"kdf\":\"pbkdf2-sha256\",\"iterations\":\"many\"}")]
    public void Load_NotAKeyFile_ReturnsKeyFileInvalid(string content)
    {
        File.WriteAllText(KeyPath, content);

        Assert.Equal(AuthenticatorError.KeyFileInvalid, VirtualAuthenticator.TryLoad(KeyPath, Passphrase).Failure?.Error);
    }

    [Fact]
    public void Save_OnUnix_CreatesTheFileWithMode0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        VirtualAuthenticator.Create(TestOptions.Fast).Save(KeyPath, Passphrase);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
    }

    [Fact]
    public void Save_OverAnExistingFile_ReplacesItAndLeavesNoTemporaryFile()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(KeyPath, "old");
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var key = VirtualAuthenticator.Create(TestOptions.Fast);
        key.MakeCredential(TestOptions.Creation(), TestOptions.Origin);

        key.Save(KeyPath, Passphrase);
        key.Save(KeyPath, Passphrase);

        Assert.Equal(["key.json"], _directory.GetFiles().Select(f => f.Name));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.Single(VirtualAuthenticator.Load(KeyPath, Passphrase).Credentials);
    }

    [Fact]
    public void Save_EmptyPassphrase_Throws()
    {
        var key = VirtualAuthenticator.Create(TestOptions.Fast);

        Assert.Throws<ArgumentException>(() => key.Save(KeyPath, string.Empty));
        Assert.False(File.Exists(KeyPath));
    }

    [Fact]
    public void ToString_OfKeysAndInfo_RevealsNoKeyMaterial()
    {
        var authenticator = VirtualAuthenticator.Create(TestOptions.Fast);
        authenticator.MakeCredential(TestOptions.Creation(), TestOptions.Origin);
        var key = CredentialKey.Generate(CoseAlgorithm.ES256);
        var secrets = new[] { Convert.ToBase64String(key.PrivateKey), Base64Url.Encode(key.PrivateKey), Convert.ToHexString(key.PrivateKey) };

        var texts = new[] { key.ToString()!, authenticator.ToString(), authenticator.Credentials.Single().ToString(), authenticator.Options.ToString() };

        Assert.Equal("ES256 credential key", texts[0]);
        Assert.All(texts, t => Assert.DoesNotContain("PrivateKey", t, StringComparison.OrdinalIgnoreCase));
        Assert.All(texts, t => Assert.All(secrets, s => Assert.DoesNotContain(s, t, StringComparison.Ordinal)));
    }

    [Fact]
    public void Options_BackedUpWithoutBackupEligible_AreRefused()
    {
        var thrown = Assert.Throws<ArgumentException>(() => VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { BackedUp = true }));

        Assert.Contains("BackedUp requires BackupEligible", thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(17)]
    public void Options_AaguidNotSixteenBytes_AreRefused(int length)
    {
        Assert.Throws<ArgumentException>(() => VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { Aaguid = new byte[length] }));
    }

    [Fact]
    public void Options_TooFewIterations_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { KeyFileIterations = 999 }));
    }

    private void Rewrite(Action<JsonObject> change)
    {
        var envelope = JsonNode.Parse(File.ReadAllText(KeyPath))!.AsObject();
        change(envelope);
        File.WriteAllText(KeyPath, envelope.ToJsonString(), Encoding.UTF8);
    }
}
