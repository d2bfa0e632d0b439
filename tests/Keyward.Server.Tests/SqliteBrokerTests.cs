namespace Keyward.Server.Tests;

/// <summary>The broker scenarios on the embedded default: a SQLite file in the test's data directory.</summary>
public sealed class SqliteBrokerTests : BrokerTests
{
    [Fact]
    public Task SecondNode_OnTheSameSqliteDataDirectory_RefusesToStartBeforeWritingAnything() => SecondNodeOnTheSameDataDirectoryRefusesToStartAsync();

    [Fact]
    public Task Storage_LockedByAnotherConnection_Answers503StorageBusyAndRecovers() => LockedDatabaseAnswersStorageBusyAsync();

    [Fact]
    public Task Readyz_DatabaseLockedByAnotherConnection_AnswersNotReady_ThenReadyAgain() => ReadyzWithTheDatabaseLockedAnswersNotReadyAsync();

    protected override Task<IReadOnlyDictionary<string, string>> CreateStorageAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["Keyward:Storage:Provider"] = "Sqlite" });
}
