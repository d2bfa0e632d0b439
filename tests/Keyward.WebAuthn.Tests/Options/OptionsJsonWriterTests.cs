using System.Text.Json.Nodes;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Tests.Options;

/// <summary>
/// The option JSON is what the browser's <c>parseCreationOptionsFromJSON</c> / <c>parseRequestOptionsFromJSON</c>
/// reads (WebAuthn L3 §5.1.10, §5.1.11): member names, base64url binary members and the lower-case enum strings are
/// pinned here byte for byte, with every member present (empty arrays, not omitted).
/// </summary>
public sealed class OptionsJsonWriterTests
{
    private static readonly byte[] Challenge = [0xFB, 0xFF, 0x00, 0x01];
    private static readonly byte[] UserHandle = [0xFA, 0xFE, 0x10];

    private static readonly RelyingPartyPolicy Policy = new()
    {
        RpId = "example.org",
        RpName = "Example",
        Origins = ["https://example.org"],
        Timeout = TimeSpan.FromSeconds(90),
    };

    [Fact]
    public void Creation_Defaults_WritesEveryMemberWithDefaultValues()
    {
        var request = new RegistrationOptionsRequest { UserName = "alice" };

        var json = OptionsJsonWriter.Creation(Policy, request, Challenge, UserHandle, [CoseAlgorithm.ES256]);

        Assert.Equal(
            Q("{'rp':{'id':'example.org','name':'Example'},'user':{'id':'-v4Q','name':'alice','displayName':'alice'},'challenge':'-_8AAQ',")
            + Q("'pubKeyCredParams':[{'type':'public-key','alg':-7}],'timeout':90000,'excludeCredentials':[],")
            + Q("'authenticatorSelection':{'residentKey':'preferred','requireResidentKey':false,'userVerification':'preferred'},")
            + Q("'hints':[],'attestation':'none','extensions':{'credProps':true}}"),
            json);
    }

    [Fact]
    public void Creation_EveryMemberSet_WritesThemInOrder()
    {
        var request = new RegistrationOptionsRequest
        {
            UserName = "alice@example.org",
            DisplayName = "Alice",
            ExcludeCredentials = [new CredentialDescriptor([0xFF, 0xEF], ["usb", "nfc"]), new CredentialDescriptor([0x01], [])],
            UserVerification = UserVerificationRequirement.Required,
            ResidentKey = ResidentKeyRequirement.Required,
            Attestation = AttestationConveyance.Direct,
            Hints = ["security-key", "hybrid"],
        };

        var json = OptionsJsonWriter.Creation(Policy, request, Challenge, UserHandle, [CoseAlgorithm.ES256, CoseAlgorithm.EdDSA, CoseAlgorithm.RS256]);

        Assert.Equal(
            Q("{'rp':{'id':'example.org','name':'Example'},'user':{'id':'-v4Q','name':'alice@example.org','displayName':'Alice'},'challenge':'-_8AAQ',")
            + Q("'pubKeyCredParams':[{'type':'public-key','alg':-7},{'type':'public-key','alg':-8},{'type':'public-key','alg':-257}],'timeout':90000,")
            + Q("'excludeCredentials':[{'type':'public-key','id':'_-8','transports':['usb','nfc']},{'type':'public-key','id':'AQ','transports':[]}],")
            + Q("'authenticatorSelection':{'residentKey':'required','requireResidentKey':true,'userVerification':'required'},")
            + Q("'hints':['security-key','hybrid'],'attestation':'direct','extensions':{'credProps':true}}"),
            json);
    }

    [Theory]
    [InlineData(ResidentKeyRequirement.Required, "required", true)]
    [InlineData(ResidentKeyRequirement.Preferred, "preferred", false)]
    [InlineData(ResidentKeyRequirement.Discouraged, "discouraged", false)]
    public void Creation_ResidentKey_WritesItsStringAndRequireResidentKey(ResidentKeyRequirement requirement, string expected, bool required)
    {
        var selection = CreationJson(new RegistrationOptionsRequest { UserName = "alice", ResidentKey = requirement })["authenticatorSelection"]!;

        Assert.Equal(expected, (string?)selection["residentKey"]);
        Assert.Equal(required, (bool?)selection["requireResidentKey"]);
    }

    [Theory]
    [InlineData(UserVerificationRequirement.Required, "required")]
    [InlineData(UserVerificationRequirement.Preferred, "preferred")]
    [InlineData(UserVerificationRequirement.Discouraged, "discouraged")]
    public void Creation_UserVerification_WritesItsString(UserVerificationRequirement requirement, string expected) =>
        Assert.Equal(expected, (string?)CreationJson(new RegistrationOptionsRequest { UserName = "alice", UserVerification = requirement })["authenticatorSelection"]!["userVerification"]);

    [Theory]
    [InlineData(AttestationConveyance.None, "none")]
    [InlineData(AttestationConveyance.Indirect, "indirect")]
    [InlineData(AttestationConveyance.Direct, "direct")]
    [InlineData(AttestationConveyance.Enterprise, "enterprise")]
    public void Creation_Attestation_WritesItsString(AttestationConveyance conveyance, string expected) =>
        Assert.Equal(expected, (string?)CreationJson(new RegistrationOptionsRequest { UserName = "alice", Attestation = conveyance })["attestation"]);

    [Fact]
    public void Request_AfterALongerOne_WritesOnlyItsOwnJson()
    {
        // The writer and its buffer are kept per thread between calls: nothing of an earlier answer may remain.
        var longer = new AuthenticationOptionsRequest { AllowCredentials = [new CredentialDescriptor(new byte[600], ["usb"])], Hints = ["security-key"] };
        _ = OptionsJsonWriter.Request(Policy, longer, Challenge);

        var json = OptionsJsonWriter.Request(Policy, new AuthenticationOptionsRequest(), Challenge);

        Assert.Equal(
            Q("{'challenge':'-_8AAQ','timeout':90000,'rpId':'example.org','allowCredentials':[],'userVerification':'preferred','hints':[]}"),
            json);
    }

    [Fact]
    public void Request_LongIdsAndManyOfThem_EncodeEveryIdWhole()
    {
        // Ids past the stack buffer are encoded in a pooled one; 40 of the longest ids outgrow the kept buffer.
        var ids = Enumerable.Range(0, 40).Select(i => Enumerable.Range(0, AuthenticatorData.MaxCredentialIdLength).Select(b => (byte)(b + i)).ToArray()).ToList();
        var request = new AuthenticationOptionsRequest { AllowCredentials = [.. ids.Select(id => new CredentialDescriptor(id, []))] };

        for (var round = 0; round < 2; round++)
        {
            var written = JsonNode.Parse(OptionsJsonWriter.Request(Policy, request, Challenge))!["allowCredentials"]!.AsArray();

            Assert.Equal(ids.Select(id => Base64Url.Encode(id)), written.Select(d => (string?)d!["id"]));
        }
    }

    [Fact]
    public void Request_Defaults_WritesEveryMemberWithDefaultValues()
    {
        var json = OptionsJsonWriter.Request(Policy, new AuthenticationOptionsRequest(), Challenge);

        Assert.Equal(
            Q("{'challenge':'-_8AAQ','timeout':90000,'rpId':'example.org','allowCredentials':[],'userVerification':'preferred','hints':[]}"),
            json);
    }

    [Fact]
    public void Request_EveryMemberSet_WritesThemInOrder()
    {
        var request = new AuthenticationOptionsRequest
        {
            AllowCredentials = [new CredentialDescriptor([0xFF, 0xEF], ["internal"]), new CredentialDescriptor([0x01, 0x02], ["ble", "hybrid"])],
            UserVerification = UserVerificationRequirement.Discouraged,
            Hints = ["client-device"],
        };

        var json = OptionsJsonWriter.Request(Policy, request, Challenge);

        Assert.Equal(
            Q("{'challenge':'-_8AAQ','timeout':90000,'rpId':'example.org',")
            + Q("'allowCredentials':[{'type':'public-key','id':'_-8','transports':['internal']},{'type':'public-key','id':'AQI','transports':['ble','hybrid']}],")
            + Q("'userVerification':'discouraged','hints':['client-device']}"),
            json);
    }

    [Theory]
    [InlineData(UserVerificationRequirement.Required, "required")]
    [InlineData(UserVerificationRequirement.Preferred, "preferred")]
    [InlineData(UserVerificationRequirement.Discouraged, "discouraged")]
    public void Request_UserVerification_WritesItsString(UserVerificationRequirement requirement, string expected) =>
        Assert.Equal(expected, (string?)JsonNode.Parse(OptionsJsonWriter.Request(Policy, new AuthenticationOptionsRequest { UserVerification = requirement }, Challenge))!["userVerification"]);

    [Fact]
    public void CreateRegistrationOptions_Json_CarriesTheCeremonyChallengeAndUserHandle()
    {
        var rp = new RelyingParty(Policy, TimeProvider.System);

        var options = rp.CreateRegistrationOptions(new RegistrationOptionsRequest { UserName = "alice" });
        var json = JsonNode.Parse(options.ToJson())!;

        Assert.Equal(Base64Url.Encode(options.Ceremony.Challenge), (string?)json["challenge"]);
        Assert.Equal(Base64Url.Encode(options.UserHandle), (string?)json["user"]!["id"]);
        Assert.Equal("example.org", (string?)json["rp"]!["id"]);
    }

    [Fact]
    public void CreateAuthenticationOptions_Json_CarriesTheCeremonyChallengeAndAllowList()
    {
        var rp = new RelyingParty(Policy, TimeProvider.System);

        var options = rp.CreateAuthenticationOptions(new AuthenticationOptionsRequest
        {
            AllowCredentials = [new CredentialDescriptor([0x01], [])],
            UserVerification = UserVerificationRequirement.Required,
        });
        var json = JsonNode.Parse(options.ToJson())!;

        Assert.Equal(Base64Url.Encode(options.Ceremony.Challenge), (string?)json["challenge"]);
        Assert.Equal(32, options.Ceremony.Challenge.Length);
        Assert.Equal("AQ", (string?)json["allowCredentials"]![0]!["id"]);
        Assert.True(options.Ceremony.UserIdentified);
        Assert.Equal(UserVerificationRequirement.Required, options.Ceremony.UserVerification);
        Assert.Equal([[0x01]], options.Ceremony.AllowCredentials);
    }

    [Fact]
    public void CreateAuthenticationOptions_NoAllowList_IsNotUserIdentified()
    {
        var options = new RelyingParty(Policy, TimeProvider.System).CreateAuthenticationOptions(new AuthenticationOptionsRequest());

        Assert.False(options.Ceremony.UserIdentified);
        Assert.Empty(options.Ceremony.AllowCredentials);
    }

    // The golden JSON is written with single quotes for readability.
    private static string Q(string json) => json.Replace('\'', '"');

    private static JsonNode CreationJson(RegistrationOptionsRequest request) =>
        JsonNode.Parse(OptionsJsonWriter.Creation(Policy, request, Challenge, UserHandle, [CoseAlgorithm.ES256]))!;
}
