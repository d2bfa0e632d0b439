using Keyward.Core.Cluster;
using Keyward.Core.Storage;

namespace Keyward.Server.Tests.Cluster;

/// <summary>The revocation channel's payload, the cache trust's rules, and the bus on SQLite (a no-op).</summary>
public sealed class RevocationNoticeTests
{
    [Fact]
    public void Format_ThenParse_GivesTheSameNotice()
    {
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid() };
        var parsed = RevocationNotice.Parse(new RevocationNotice("a1b2c3", RevocationKind.Session, "logout", ids).Format());

        Assert.NotNull(parsed);
        Assert.Equal(("a1b2c3", RevocationKind.Session, "logout"), (parsed.Node, parsed.Kind, parsed.Reason));
        Assert.Equal(ids, parsed.Ids);
    }

    [Fact]
    public void Format_CarriesIdsOnly_NoCredential()
    {
        var id = Guid.NewGuid();
        Assert.Equal($"1|n|m||{id:D}", new RevocationNotice("n", RevocationKind.Machine, "", [id]).Format());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2|n|s|logout|3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("1|n|x|logout|3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("1|n|s|logout|")]
    [InlineData("1|n|s|logout|kws_notanid")]
    [InlineData("1||s|logout|3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("1|n|s|logout|3f2504e0-4f89-11d3-9a0c-0305e82c3301|extra")]
    public void Parse_AnythingElse_IsNull(string? payload) => Assert.Null(RevocationNotice.Parse(payload));

    [Fact]
    public void Parse_MoreThanMaxIds_IsNull()
    {
        var ids = Enumerable.Range(0, RevocationNotice.MaxIds + 1).Select(_ => Guid.NewGuid().ToString("D"));
        Assert.Null(RevocationNotice.Parse("1|n|s|logout|" + string.Join(',', ids)));
    }

    [Fact]
    public void CacheTrust_HonoursOnlyTheCurrentGenerationWhileTrusted()
    {
        var trust = new CacheTrust(trusted: false);
        var filledWhileDown = trust.Generation;
        Assert.False(trust.Honours(filledWhileDown));

        var dropped = 0;
        trust.Resuming += () => dropped++;
        trust.Resume();
        Assert.Equal(1, dropped);
        Assert.False(trust.Honours(filledWhileDown));
        var filled = trust.Generation;
        Assert.True(trust.Honours(filled));

        trust.Suspend();
        Assert.False(trust.Honours(filled));
        Assert.False(trust.Honours(trust.Generation));
    }

    [Fact]
    public void Bus_OnSqlite_IsOffAndTrustsTheCache()
    {
        using var data = new Keyward.Testing.TempDirectory("keyward-bus-");
        var bus = new RevocationBus(new KeywardDatabase(new StorageOptions(), data.Path));

        Assert.False(bus.Enabled);
        Assert.True(bus.Trust.Honours(bus.Trust.Generation));
    }
}
