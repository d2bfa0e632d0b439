using System.Text;
using Keyward.Core.Audit.Export;

namespace Keyward.Core.Tests.Audit;

/// <summary>
/// A damaged export is a verdict, never an exception: the shapes AFL++ found (fuzz/corpus/audit-export/afl-crash-*),
/// a number where a string or array stands and a member repeated in place of a missing one, each reduced to a line.
/// </summary>
public sealed class AuditExportVerifierInputTests
{
    private const string Header = """{"type":"header","format":"keyward-audit-export","version":1,"tree_size":1,"keys":[]}""";

    private const string Event = """{"type":"event","event":{"action":"a","actor":"b","client":null,"details":{},"outcome":"success","sequence":0,"target":null,"tenant":"default","time":1},"leaf_hash":"AAAA"}""";

    [Theory]
    [InlineData("""{"type":"header","format":"keyward-audit-export","version":"1","tree_size":1}""")]
    [InlineData("""{"type":"header","format":"keyward-audit-export","version":[1],"tree_size":1}""")]
    [InlineData("""{"type":"header","format":"keyward-audit-export","version":1,"tree_size":"1"}""")]
    [InlineData("""{"type":"header","format":"keyward-audit-export","version":1,"tree_size":[]}""")]
    public async Task Verify_HeaderWithWrongTypedNumber_IsUnusable(string header)
    {
        var result = await VerifyAsync(header);

        Assert.Equal(AuditVerificationStatus.Unusable, result.Status);
    }

    [Fact]
    public async Task Verify_HeaderKeyWithNonStringKeyId_IsSkippedAndTheEmptyExportVerifies()
    {
        var result = await VerifyAsync("""{"type":"header","format":"keyward-audit-export","version":1,"tree_size":0,"keys":[{"key_id":7,"public_key":"AAAA"}]}""");

        Assert.Equal(AuditVerificationStatus.Intact, result.Status);
        Assert.Equal(0, result.Events);
    }

    [Theory]
    [InlineData("""{"type":"tree_head","tree_size":"5","root_hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","timestamp":1,"key_id":"k","signature":"AAAA"}""")]
    [InlineData("""{"type":"tree_head","tree_size":5,"root_hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","timestamp":[1],"key_id":"k","signature":"AAAA"}""")]
    public async Task Verify_TreeHeadWithWrongTypedNumber_IsNotIntact(string head)
    {
        var result = await VerifyAsync(Header, head, Event);

        Assert.NotEqual(AuditVerificationStatus.Intact, result.Status);
    }

    [Theory]
    [InlineData("\"sequence\":0", "\"sequence\":\"0\"")]
    [InlineData("\"time\":1", "\"time\":[1]")]
    [InlineData("\"sequence\":0,", "\"action\":\"again\",")]
    [InlineData("\"leaf_hash\"", "\"inclusion\":{\"tree_size\":\"1\",\"path\":[]},\"leaf_hash\"")]
    public async Task Verify_EventWithWrongTypedOrRepeatedMember_IsTampered(string member, string replacement)
    {
        var result = await VerifyAsync(Header, Event.Replace(member, replacement, StringComparison.Ordinal));

        Assert.Equal(AuditVerificationStatus.Tampered, result.Status);
    }

    private static async Task<AuditVerification> VerifyAsync(params string[] lines)
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        return await AuditExportVerifier.VerifyAsync(input);
    }
}
