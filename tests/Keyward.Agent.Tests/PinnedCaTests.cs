using System.Net.Security;
using Keyward.Agent.Enrollment;
using Keyward.Agent.Tests.Infrastructure;
using Keyward.Testing;

namespace Keyward.Agent.Tests;

public sealed class PinnedCaTests
{
    [Fact]
    public void Only_CertificateOfThePinnedCa_IsAccepted_EvenWhenTheSystemStoreDoesNotKnowTheCa()
    {
        using var ca = TestCa.Create();
        using var temp = new TempDirectory("keyward-agent-pin-");
        var check = PinnedCa.Only(ca.WriteCaPem(temp.Path));

        Assert.True(check(this, ca.Server, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.True(check(this, ca.Server, null, SslPolicyErrors.None));
    }

    [Fact]
    public void Only_CertificateOfAnotherCa_IsRefused_EvenWhenTheSystemStoreTrustsIt()
    {
        using var pinned = TestCa.Create("Pinned CA");
        using var other = TestCa.Create("Other CA");
        using var temp = new TempDirectory("keyward-agent-pin-");
        var check = PinnedCa.Only(pinned.WriteCaPem(temp.Path));

        // SslPolicyErrors.None: as if the system store trusted the other CA; the pin still decides.
        Assert.False(check(this, other.Server, null, SslPolicyErrors.None));
        Assert.False(check(this, other.Server, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void Only_NameMismatchOrNoCertificate_IsRefused_EvenFromThePinnedCa()
    {
        using var ca = TestCa.Create();
        using var temp = new TempDirectory("keyward-agent-pin-");
        var check = PinnedCa.Only(ca.WriteCaPem(temp.Path));

        Assert.False(check(this, ca.Server, null, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(check(this, ca.Server, null, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(check(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void Only_FileWithoutACertificate_IsAStateErrorThatSaysWhatToPass()
    {
        using var temp = new TempDirectory("keyward-agent-pin-");
        var file = temp.Combine("empty.pem");
        File.WriteAllText(file, "not a certificate\n");

        var error = Assert.Throws<AgentStateException>(() => PinnedCa.Only(file));

        Assert.Contains("ca.pem", error.Message, StringComparison.Ordinal);
    }
}
