using Keyward.Core.Accounts;

namespace Keyward.Core.Tests.Credentials;

/// <summary><see cref="RecoveryCodeKey"/>: a code's stored hash depends on the server key and on the account.</summary>
public sealed class RecoveryCodeKeyTests
{
    private const string Code = "0123456789AB";

    [Fact]
    public void Hash_SameKeyAccountAndCode_IsStable()
    {
        var key = new RecoveryCodeKey(Enumerable.Repeat((byte)7, 32).ToArray());
        var account = Guid.NewGuid();

        Assert.Equal(key.Hash(account, Code), new RecoveryCodeKey(Enumerable.Repeat((byte)7, 32).ToArray()).Hash(account, Code));
    }

    [Fact]
    public void Hash_AnotherServerKey_DiffersSoTheDatabaseAloneCannotTestGuesses()
    {
        var account = Guid.NewGuid();

        Assert.NotEqual(RecoveryCodeKey.Generate().Hash(account, Code), RecoveryCodeKey.Generate().Hash(account, Code));
    }

    [Fact]
    public void Hash_AnotherAccount_Differs()
    {
        var key = RecoveryCodeKey.Generate();

        Assert.NotEqual(key.Hash(Guid.NewGuid(), Code), key.Hash(Guid.NewGuid(), Code));
    }

    [Fact]
    public void Create_KeyShorterThan32Bytes_Throws() =>
        Assert.Throws<ArgumentException>(() => new RecoveryCodeKey(new byte[16]));
}
