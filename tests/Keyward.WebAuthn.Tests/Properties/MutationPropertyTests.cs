using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Keyward.WebAuthn.Conformance;
using Keyward.WebAuthn.Tests.Vectors;

namespace Keyward.WebAuthn.Tests.Properties;

/// <summary>
/// Random byte flips and truncations of valid signed responses are always rejected with a typed error: never
/// accepted, never an exception. "Signed" matters: fmt "none" registrations sign nothing, so a flip in an unsigned
/// field (the AAGUID, the counter, clientData extras) is by design undetectable and those cases are excluded.
/// fido-u2f registrations are excluded for the same reason: its signature (WebAuthn L3 §8.6) covers the RP ID hash,
/// client data hash, credential id and key, but not the flags, counter or AAGUID.
/// x5c registrations run under RequireTrusted with the case's anchors, so tampering with a certificate shows too.
/// </summary>
public sealed class MutationPropertyTests
{
    private static readonly string[] Fields = ["clientDataJSON", "attestationObject", "authenticatorData", "signature"];

    private static readonly Lazy<List<(JsonElement Case, bool RequireTrust)>> Signed = new(() =>
    [
        .. VectorFiles.Cases("spec_vectors.json")
            .Where(c => c.GetProperty("expected").GetProperty("result").GetString() == "pass")
            .Where(c => c.GetProperty("ceremony").GetString() == "authentication"
                || c.GetProperty("expected").GetProperty("fmt").GetString() is not ("none" or "fido-u2f"))
            .Select(c => (c, c.GetProperty("ceremony").GetString() == "registration" && !c.GetProperty("id").GetString()!.Contains("-self-", StringComparison.Ordinal))),
    ]);

    [Fact]
    public void SignedCases_Unmutated_Pass()
    {
        Assert.True(Signed.Value.Count >= 25, $"only {Signed.Value.Count} signed cases");
        foreach (var (c, trust) in Signed.Value)
        {
            var (passed, report) = Run(c, trust, response => response);
            Assert.True(passed, $"{c.GetProperty("id")}: {report.ToJsonString()}");
        }
    }

    [Fact]
    public void Mutations_BitFlip_AlwaysRejectedWithCode()
    {
        var gen = Gen.Select(Gen.Int[0, Signed.Value.Count - 1], Gen.Int[0, Fields.Length - 1], Gen.Int[0, int.MaxValue], Gen.Int[0, 7]);
        gen.Sample(t =>
        {
            var (caseIndex, fieldIndex, position, bit) = t;
            AssertRejected(caseIndex, Fields[fieldIndex], bytes =>
            {
                bytes[position % bytes.Length] ^= (byte)(1 << bit);
                return bytes;
            });
        }, iter: 1500);
    }

    [Fact]
    public void Mutations_Truncation_AlwaysRejectedWithCode()
    {
        var gen = Gen.Select(Gen.Int[0, Signed.Value.Count - 1], Gen.Int[0, Fields.Length - 1], Gen.Int[0, int.MaxValue]);
        gen.Sample(t =>
        {
            var (caseIndex, fieldIndex, cut) = t;
            AssertRejected(caseIndex, Fields[fieldIndex], bytes => bytes[..(cut % bytes.Length)]);
        }, iter: 800);
    }

    [Fact]
    public void Mutations_AppendedByte_AlwaysRejectedWithCode()
    {
        var gen = Gen.Select(Gen.Int[0, Signed.Value.Count - 1], Gen.Int[0, Fields.Length - 1], Gen.Byte);
        gen.Sample(t =>
        {
            var (caseIndex, fieldIndex, extra) = t;
            AssertRejected(caseIndex, Fields[fieldIndex], bytes => [.. bytes, extra]);
        }, iter: 400);
    }

    private static void AssertRejected(int caseIndex, string field, Func<byte[], byte[]> mutate)
    {
        var (c, trust) = Signed.Value[caseIndex];
        var inner = c.GetProperty("response").GetProperty("response");
        if (!inner.TryGetProperty(field, out var value))
        {
            return;
        }

        Assert.True(Base64Url.TryDecode(value.GetString(), out var original));
        var mutated = mutate(original.ToArray());
        if (mutated.AsSpan().SequenceEqual(original))
        {
            return;
        }

        var (passed, report) = Run(c, trust, response =>
        {
            response["response"]![field] = Base64Url.Encode(mutated);
            return response;
        });
        var id = c.GetProperty("id").GetString();
        Assert.False(passed, $"{id}: a mutated {field} was accepted");
        var code = report["code"]?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(code), $"{id}: rejected without a code");
        Assert.Contains(Enum.GetValues<WebAuthnErrorCode>(), e => WebAuthnErrors.Code(e) == code);
    }

    private static (bool, JsonObject) Run(JsonElement c, bool requireTrust, Func<JsonObject, JsonObject> edit)
    {
        var node = JsonNode.Parse(c.GetRawText())!.AsObject();
        node["response"] = edit(node["response"]!.AsObject());
        using var document = JsonDocument.Parse(node.ToJsonString());
        var parsed = VectorCase.Parse(document.RootElement, out var error);
        Assert.True(parsed is not null, error);
        return VectorCaseRunner.Run(parsed!, requireTrust: requireTrust);
    }
}
