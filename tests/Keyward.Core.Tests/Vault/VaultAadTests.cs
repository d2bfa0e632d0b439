using Keyward.Core.Vault;

namespace Keyward.Core.Tests.Vault;

/// <summary><see cref="VaultAad"/>: the canonical, length-prefixed encoding.</summary>
public sealed class VaultAadTests
{
    private static readonly Guid Operator = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
    private static readonly Guid Actor = Guid.Parse("ffeeddcc-bbaa-9988-7766-554433221100");

    [Fact]
    public void ForDataKey_KnownAddress_IsTheDocumentedBytes()
    {
        var address = new VaultAddress("t", VaultDataClass.Memory, Operator, Actor, "a/b");

        var aad = VaultAad.ForDataKey(address, 2, 3);

        var expected = Convert.FromHexString(
            "00000010" + Convert.ToHexString("keyward.vault.v1"u8) +
            "00000008" + Convert.ToHexString("data-key"u8) +
            "00000001" + "74" +
            "00000006" + Convert.ToHexString("memory"u8) +
            "00000003" + Convert.ToHexString("a/b"u8) +
            "00000008" + "0000000000000002" +
            "00000010" + "00112233445566778899AABBCCDDEEFF" +
            "00000010" + "FFEEDDCCBBAA99887766554433221100" +
            "00000008" + "0000000000000003");
        Assert.Equal(expected, aad);
    }

    [Fact]
    public void ForValue_LeavesTheEpochOut_AndDiffersFromTheDataKeysAad()
    {
        var address = new VaultAddress("t", VaultDataClass.Memory, Operator, Actor, "a/b");

        var value = VaultAad.ForValue(address, 2);

        Assert.Equal(VaultAad.ForDataKey(address, 2, 3).Length - 12 - 3, value.Length);
        Assert.NotEqual(VaultAad.ForDataKey(address, 2, 3)[..value.Length], value);
    }

    [Theory]
    [InlineData("ab", "c", "a", "bc")]
    [InlineData("t", "x/y", "t/x", "y")]
    public void ForValue_FieldBoundaryShifted_Differs(string tenantA, string pathA, string tenantB, string pathB)
    {
        // Plain concatenation would make these equal; the length prefixes keep them apart.
        var a = VaultAad.ForValue(new VaultAddress(tenantA, VaultDataClass.Credential, Operator, Actor, pathA), 1);
        var b = VaultAad.ForValue(new VaultAddress(tenantB, VaultDataClass.Credential, Operator, Actor, pathB), 1);

        Assert.NotEqual(a, b);
    }
}
