using Keyward.Core.Credentials;
using Keyward.Server.Agents;

namespace Keyward.Server.Tests.Agents;

/// <summary>
/// Which Bearer values the agent plane takes for a support code. A code is 12 Crockford base32 characters, so about
/// one in a thousand starts with "KW": it must still be a code (it was once taken for a kw?_ token and refused as
/// agent_key_invalid, so such a code could never bind).
/// </summary>
public sealed class SupportCodeShapeTests
{
    [Theory]
    [InlineData("KWAB-CDEF-GHJK")]
    [InlineData("kwab-cdef-ghjk")]
    [InlineData("KW00 0000 0000")]
    [InlineData("0123-4567-89AB")]
    public void ACodeStartingWithKW_IsASupportCode(string code) => Assert.True(AgentAuthenticationHandler.IsSupportCode(code));

    [Fact]
    public void EveryKeywardToken_IsNotASupportCode()
    {
        foreach (var kind in Enum.GetValues<CredentialKind>())
        {
            Assert.False(AgentAuthenticationHandler.IsSupportCode(SecretToken.Generate(kind)), kind.ToString());
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("KWAB-CDEF")]
    [InlineData("KWAB-CDEF-GHJK-MNPQ-RSTV-WXYZ-0")]
    [InlineData("kw_ab-cdef-ghjk")]
    [InlineData("KWAB-CDEF-GHJU")]
    public void OtherShapes_AreNotSupportCodes(string value) => Assert.False(AgentAuthenticationHandler.IsSupportCode(value));
}
