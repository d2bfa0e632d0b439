using System.Text;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// The relying party's entry points refuse missing arguments with ArgumentNullException, and the options they make
/// carry a challenge of the policy's length and a user handle within WebAuthn's 1 to 64 bytes (L3 §5.4.3).
/// </summary>
public sealed class RelyingPartyArgumentTests
{
    private static readonly RelyingParty Rp = Relying.Create();

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new RelyingParty(null!, TimeProvider.System));
        Assert.Throws<ArgumentNullException>(() => new RelyingParty(Relying.Policy, null!));
    }

    [Fact]
    public void Constructor_GivenKeyCache_IsTheOneUsed()
    {
        var cache = new Cose.CoseKeyCache();

        Assert.Same(cache, new RelyingParty(Relying.Policy, TimeProvider.System, cache).Keys);
    }

    [Fact]
    public void VerifyAssertion_NullArguments_Throw()
    {
        using var b = new ResponseBuilder();
        var stored = new StoredCredential { CredentialId = [1], PublicKey = [1], UserHandle = [1] };
        var ceremony = Relying.Ceremony(b);

        Assert.Throws<ArgumentNullException>(() => Rp.VerifyAssertion(null!, ceremony, stored));
        Assert.Throws<ArgumentNullException>(() => Rp.VerifyAssertion(b.Assertion(), null!, stored));
        Assert.Throws<ArgumentNullException>(() => Rp.VerifyAssertion(b.Assertion(), ceremony, null!));
    }

    [Fact]
    public void VerifyRegistration_NullArguments_Throw()
    {
        using var b = new ResponseBuilder();

        Assert.Throws<ArgumentNullException>(() => Rp.VerifyRegistration(null!, Relying.Registration(b)));
        Assert.Throws<ArgumentNullException>(() => Rp.VerifyRegistration(b.Registration(), null!));
    }

    [Fact]
    public void CreateRegistrationOptions_UserHandleOf1And64Bytes_Accepted()
    {
        Assert.Single(Rp.CreateRegistrationOptions(new RegistrationOptionsRequest { UserName = "alice", UserHandle = [7] }).UserHandle);
        Assert.Equal(64, Rp.CreateRegistrationOptions(new RegistrationOptionsRequest { UserName = "alice", UserHandle = new byte[64] }).UserHandle.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void CreateRegistrationOptions_UserHandleOutside1To64Bytes_Throws(int length) =>
        Assert.Throws<ArgumentException>(() => Rp.CreateRegistrationOptions(new RegistrationOptionsRequest { UserName = "alice", UserHandle = new byte[length] }));

    [Fact]
    public void CreateRegistrationOptions_NoUserHandle_MakesA32ByteRandomOne()
    {
        var first = Rp.CreateRegistrationOptions(new RegistrationOptionsRequest { UserName = "alice" });
        var second = Rp.CreateRegistrationOptions(new RegistrationOptionsRequest { UserName = "alice" });

        Assert.Equal(32, first.UserHandle.Length);
        Assert.NotEqual(first.UserHandle, second.UserHandle);
        Assert.Equal(Relying.Policy.ChallengeLength, first.Ceremony.Challenge.Length);
        Assert.Equal(Relying.Policy.Algorithms, first.Ceremony.Algorithms);
    }

    [Fact]
    public void CreateRegistrationOptions_MissingArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => Rp.CreateRegistrationOptions(null!));
        Assert.Throws<ArgumentException>(() => Rp.CreateRegistrationOptions(new RegistrationOptionsRequest { UserName = " " }));
        Assert.Throws<ArgumentNullException>(() => Rp.CreateAuthenticationOptions(null!));
    }

    [Fact]
    public void CreateAuthenticationOptions_WithAllowList_IdentifiesTheUserAndWithoutDoesNot()
    {
        var allowed = Rp.CreateAuthenticationOptions(new AuthenticationOptionsRequest { AllowCredentials = [new CredentialDescriptor([1, 2], [])] });
        var discoverable = Rp.CreateAuthenticationOptions(new AuthenticationOptionsRequest());

        Assert.True(allowed.Ceremony.UserIdentified);
        Assert.Equal([[1, 2]], allowed.Ceremony.AllowCredentials);
        Assert.False(discoverable.Ceremony.UserIdentified);
        Assert.Equal(Relying.Policy.ChallengeLength, discoverable.Ceremony.Challenge.Length);
    }

    public static TheoryData<string> DuplicatedMembers => new() { "type", "challenge", "origin", "topOrigin", "crossOrigin", "tokenBinding" };

    [Theory]
    [MemberData(nameof(DuplicatedMembers))]
    public void ClientDataParse_MemberTwice_IsMalformed(string member)
    {
        var value = member switch
        {
            "crossOrigin" => "false",
            "tokenBinding" => "\"unused\"",
            _ => "\"x\"",
        };
        var json = $$"""{"type":"webauthn.get","challenge":"AA","origin":"https://example.org","{{member}}":{{value}},"{{member}}":{{value}}}""";
        if (member is "topOrigin" or "crossOrigin" or "tokenBinding")
        {
            Assert.True(CollectedClientData.Parse(Encoding.UTF8.GetBytes($$"""{"type":"webauthn.get","challenge":"AA","origin":"https://example.org","{{member}}":{{value}}}""")).Succeeded);
        }

        var result = CollectedClientData.Parse(Encoding.UTF8.GetBytes(json));

        Assert.False(result.Succeeded);
        Assert.Equal("malformed_client_data", result.Failure!.Code);
    }

    [Theory]
    [InlineData("""{"type":"webauthn.get","challenge":"AA","origin":"https://example.org","crossOrigin":false}""", false)]
    [InlineData("""{"type":"webauthn.get","challenge":"AA","origin":"https://example.org","crossOrigin":true}""", true)]
    public void ClientDataParse_CrossOrigin_ReadAsGiven(string json, bool expected) =>
        Assert.Equal(expected, CollectedClientData.Parse(Encoding.UTF8.GetBytes(json)).Value.CrossOrigin);

    [Theory]
    [InlineData("""{"type":"webauthn.get","challenge":"AA"}""")]
    [InlineData("""{"type":"webauthn.get","origin":"https://example.org"}""")]
    [InlineData("""{"challenge":"AA","origin":"https://example.org"}""")]
    [InlineData("""{"type":1,"challenge":"AA","origin":"https://example.org"}""")]
    [InlineData("""{"type":"webauthn.get","challenge":"AA","origin":"https://example.org"} {}""")]
    [InlineData("""[]""")]
    public void ClientDataParse_MissingWrongTypedOrTrailing_IsMalformed(string json)
    {
        var result = CollectedClientData.Parse(Encoding.UTF8.GetBytes(json));

        Assert.False(result.Succeeded);
        Assert.Equal("malformed_client_data", result.Failure!.Code);
    }

    [Fact]
    public void ClientDataParse_TokenBindingObject_YieldsItsStatusOnly()
    {
        var json = """{"type":"webauthn.get","challenge":"AA","origin":"https://example.org","tokenBinding":{"id":"abc","status":"present"}}""";

        Assert.Equal("present", CollectedClientData.Parse(Encoding.UTF8.GetBytes(json)).Value.TokenBindingStatus);
    }

    [Fact]
    public void ClientDataParse_ExactlyMaxLength_IsParsedAndOneByteMoreIsNot()
    {
        var head = """{"type":"webauthn.get","challenge":"AA","origin":"https://example.org"}""";
        var atLimit = head + new string(' ', CollectedClientData.MaxLength - head.Length);

        Assert.True(CollectedClientData.Parse(Encoding.UTF8.GetBytes(atLimit)).Succeeded);
        Assert.False(CollectedClientData.Parse(Encoding.UTF8.GetBytes(atLimit + " ")).Succeeded);
    }

    [Fact]
    public void ClientDataParse_NestedDeeperThanEightLevels_IsMalformed()
    {
        var nested = new string('[', 8) + new string(']', 8);
        var json = $$"""{"type":"webauthn.get","challenge":"AA","origin":"https://example.org","extra":{{nested}}}""";

        Assert.False(CollectedClientData.Parse(Encoding.UTF8.GetBytes(json)).Succeeded);
    }
}
