using Keyward.Core.Capabilities;
using Keyward.Core.Quorum;

namespace Keyward.Core.Tests.Capabilities;

/// <summary>The rules of a scope's contents: canonical form, well-formed prefixes, segment-aware coverage.</summary>
public sealed class ScopeRulesTests
{
    [Theory]
    [InlineData("db", "db", true)]
    [InlineData("db", "db/prod", true)]
    [InlineData("db/prod", "db/prod/main/x", true)]
    [InlineData("db", "dbx", false)]
    [InlineData("db/prod", "db/production", false)]
    [InlineData("db/prod", "db", false)]
    [InlineData("db", "db/", false)]
    [InlineData("db", "other/db", false)]
    public void Covers_IsSegmentAware(string prefix, string path, bool covered) =>
        Assert.Equal(covered, ScopeRules.Covers(prefix, path));

    [Fact]
    public void Normalize_OrdersDeduplicatesAndDropsTheTrailingSlash()
    {
        var (contents, problem) = ScopeRules.Normalize(["list", "read", "read"], ["memory", "credential"], ["team/", "db/prod", "db/prod/"]);

        Assert.Null(problem);
        Assert.Equal(["read", "list"], contents!.Operations);
        Assert.Equal(["credential", "memory"], contents.DataClasses);
        Assert.Equal(["db/prod", "team"], contents.Prefixes);
    }

    [Theory]
    [InlineData("sudo", "credential", "db")]
    [InlineData("read", "passwords", "db")]
    [InlineData("read", "credential", "")]
    [InlineData("read", "credential", "/")]
    [InlineData("read", "credential", "../db")]
    [InlineData("read", "credential", "db//x")]
    [InlineData("read", "credential", "db x")]
    [InlineData("Read", "credential", "db")]
    public void Normalize_UndefinedOrMalformed_SaysWhatIsWrong(string operation, string dataClass, string prefix)
    {
        var (contents, problem) = ScopeRules.Normalize([operation], [dataClass], [prefix]);

        Assert.Null(contents);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void Normalize_EmptyListsAndTooManyPrefixes_AreRefused()
    {
        Assert.Null(ScopeRules.Normalize([], ["credential"], ["db"]).Contents);
        Assert.Null(ScopeRules.Normalize(["read"], [], ["db"]).Contents);
        Assert.Null(ScopeRules.Normalize(["read"], ["credential"], []).Contents);
        Assert.Null(ScopeRules.Normalize(["read"], ["credential"], [.. Enumerable.Range(0, ScopeRules.MaxPrefixes + 1).Select(i => $"p{i}")]).Contents);
    }

    [Fact]
    public void Includes_AWideningKeepsEverythingAndAPrefixIsCoveredByItsParent()
    {
        var narrow = ScopeRules.Normalize(["read"], ["credential"], ["db/prod"]).Contents!;
        var wide = ScopeRules.Normalize(["read", "write"], ["credential"], ["db"]).Contents!;

        Assert.True(wide.Includes(narrow));
        Assert.False(narrow.Includes(wide));
    }

    [Fact]
    public void GrantOperation_CarriesTheCanonicalContents_AndAnotherFormIsRefused()
    {
        var contents = ScopeRules.Normalize(["list", "read"], ["credential"], ["db/"]).Contents!;
        var grant = ScopeOperations.Grant(Guid.NewGuid(), CapabilityActorKind.Service, contents).Value;

        Assert.Equal(("read list", "credential", "db", "service"), (grant.Parameters["operations"], grant.Parameters["data_classes"], grant.Parameters["prefixes"], grant.Parameters["actor_kind"]));
        var reordered = ApprovalOperation.Create(OperationKind.GrantScope, grant.Target, new Dictionary<string, string>(grant.Parameters) { ["operations"] = "list read" }).Value;
        Assert.Null(ScopeOperations.ContentsOf(reordered).Contents);
        Assert.NotNull(ScopeOperations.ContentsOf(grant).Contents);
    }
}
