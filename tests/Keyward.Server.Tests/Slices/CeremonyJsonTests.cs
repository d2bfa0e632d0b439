using System.Text.Json;
using Keyward.Server.Sessions;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// The ceremony's JSON on the sign-in's path (issue 15): the options Keyward.WebAuthn wrote go into the begin answer as
/// they are, without a parse and re-write, and still answer '+' and non-ASCII unescaped; the stored state is compact and
/// reads back the same, as do rows stored with every property.
/// </summary>
public sealed class CeremonyJsonTests
{
    private static readonly Guid Id = Guid.Parse("5f0c9a7e-3b1d-4c2a-9e8f-0123456789ab");

    [Fact]
    public void Options_WithoutEscapes_AreWrittenAsTheyAre()
    {
        const string options = """{"challenge":"q83v","timeout":300000,"rpId":"keyward.example","allowCredentials":[{"type":"public-key","id":"AAE","transports":["usb","nfc"]}],"userVerification":"preferred"}""";

        var answer = JsonSerializer.Serialize(new CeremonyOptionsResponse(Id, new CeremonyOptionsJson(options)), SessionsJsonContext.Relaxed.CeremonyOptionsResponse);

        Assert.Equal($$"""{"ceremony_id":"{{Id}}","public_key":{{options}}}""", answer);
    }

    [Fact]
    public void Options_WithEscapes_AreAnsweredUnescaped_AsEveryAnswerIs()
    {
        // Keyward.WebAuthn's writer escapes '+' and non-ASCII (a display name); answers never carry \u002B (JsonAnswerTests).
        const string options = """{"rp":{"name":"Keyward"},"user":{"name":"a\u002Bb","displayName":"\uFF42ob"},"challenge":"q83v"}""";

        var answer = JsonSerializer.Serialize(new CeremonyOptionsResponse(Id, new CeremonyOptionsJson(options)), SessionsJsonContext.Relaxed.CeremonyOptionsResponse);

        Assert.Contains("\"name\":\"a+b\"", answer, StringComparison.Ordinal);
        Assert.Contains("\"displayName\":\"ｂob\"", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", answer, StringComparison.Ordinal);
        using var parsed = JsonDocument.Parse(answer);
        Assert.Equal("ｂob", parsed.RootElement.GetProperty("public_key").GetProperty("user").GetProperty("displayName").GetString());
    }

    [Fact]
    public void Options_ThatAreNotOneJsonValue_AreNeverWritten()
    {
        // The copy is validated: a broken text fails the answer instead of sending malformed JSON.
        Assert.ThrowsAny<JsonException>(() =>
            JsonSerializer.Serialize(new CeremonyOptionsResponse(Id, new CeremonyOptionsJson("""{"challenge":"q83v"}, {"x":1}""")), SessionsJsonContext.Relaxed.CeremonyOptionsResponse));
    }

    [Fact]
    public void Options_ReadBack_AreTheSameObject()
    {
        const string options = """{"challenge":"q83v","userVerification":"preferred"}""";
        var answer = JsonSerializer.Serialize(new CeremonyOptionsResponse(Id, new CeremonyOptionsJson(options)), SessionsJsonContext.Relaxed.CeremonyOptionsResponse);

        var read = JsonSerializer.Deserialize(answer, SessionsJsonContext.Default.CeremonyOptionsResponse)!;

        Assert.Equal(Id, read.CeremonyId);
        Assert.Equal(options, read.PublicKey.GetRawText());
    }

    [Fact]
    public void State_IsStoredCompactly_AndReadsBackTheSame()
    {
        var accountId = Guid.NewGuid();
        var state = new CeremonyState { Mode = CeremonyModes.Login, AccountId = accountId, Named = true, AllowCredentials = ["AAE", "AgM"] };

        var json = JsonSerializer.Serialize(state, CeremonyStateJsonContext.Default.CeremonyState);
        var read = JsonSerializer.Deserialize(json, CeremonyStateJsonContext.Default.CeremonyState)!;

        Assert.Equal($$"""{"Mode":"login","AccountId":"{{accountId}}","Named":true,"AllowCredentials":["AAE","AgM"]}""", json);
        Assert.Equal(state.AccountId, read.AccountId);
        Assert.True(read.Named);
        Assert.False(read.RequireUserVerification);
        Assert.Null(read.SessionId);
        Assert.Equal(["AAE", "AgM"], read.AllowCredentials);
    }

    [Fact]
    public void State_StoredWithEveryProperty_ReadsTheSame()
    {
        // As every build before this one stored it (nulls and false written out): a ceremony begun before an upgrade finishes after it.
        var sessionId = Guid.NewGuid();
        var before = $$"""{"Mode":"stepup","AccountId":null,"AccountName":null,"Role":null,"UserHandle":null,"InviteId":null,"KeyName":null,"RequireUserVerification":true,"Named":false,"AllowCredentials":[],"SessionId":"{{sessionId}}","Purpose":"admin","Target":null}""";

        var read = JsonSerializer.Deserialize(before, CeremonyStateJsonContext.Default.CeremonyState)!;

        Assert.Equal("stepup", read.Mode);
        Assert.Null(read.AccountId);
        Assert.True(read.RequireUserVerification);
        Assert.Equal(sessionId, read.SessionId);
        Assert.Equal("admin", read.Purpose);
        Assert.Empty(read.AllowCredentials);
    }
}
