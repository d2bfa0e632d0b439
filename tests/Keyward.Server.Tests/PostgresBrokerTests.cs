using Keyward.Testing;
using Npgsql;

namespace Keyward.Server.Tests;

/// <summary>The broker scenarios on PostgreSQL: a fresh database per test on the shared throwaway cluster.</summary>
[Collection(PostgresFixture.CollectionName)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, whose DropStorageAsync disposes the key folder.")]
public sealed class PostgresBrokerTests(PostgresFixture postgres) : BrokerTests
{
    private readonly TempDirectory _kek = new("keyward-kek-");
    private string? _connectionString;

    [Fact]
    public Task TwoNodes_SessionFromOneWorksOnOther_LogoutSeenWithinRevalidateInterval() => TwoNodesSessionFromOneWorksOnOtherAndLogoutIsSeenWithinRevalidateIntervalAsync();

    [Fact]
    public Task TwoNodes_SetupCodeGuesses_ShareOneBucketAndOneFirstCheckPerAddress() => TwoNodesSetupCodeGuessesShareOneBucketAndOneFirstCheckPerAddressAsync();

    [Fact]
    public Task TwoNodes_SupportCodeGuesses_ShareThePerAddressWindowAndTheBucket() => TwoNodesSupportCodeGuessesShareThePerAddressWindowAndTheBucketAsync();

    [Fact]
    public Task TwoNodes_SignInFailures_BackOffTheAccountAndTheAddressAcrossTheCluster() => TwoNodesSignInFailuresBackOffTheAccountAndTheAddressAcrossTheClusterAsync();

    [Fact]
    public Task TwoNodes_PerAddressSignInWindow_HoldsAcrossTheCluster() => TwoNodesPerAddressSignInWindowHoldsAcrossTheClusterAsync();

    [Fact]
    public Task SharedCountersUnreadable_GuessableChecksAreRefused_SignInFallsBack() => SharedCountersUnreadableGuessableChecksAreRefusedAndSignInFallsBackAsync(async () =>
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP TABLE {Keyward.Server.Limits.PostgresClusterCounters.Table}", connection);
        await drop.ExecuteNonQueryAsync();
    });

    [Fact]
    public Task TwoNodes_AssertionsMintedOnAVerifyOnBsJwks_ThroughARotationOnA() => TwoNodesAssertionsVerifyOnEachOthersJwksThroughARotationAsync();

    [Fact]
    public Task TwoNodes_CapabilityTokensMintedOnAVerifyOnBsJwks_ThroughARotation() => TwoNodesCapabilityTokensVerifyOnEachOthersJwksThroughARotationAsync();

    [Fact]
    public Task TwoNodes_ConcurrentAppendsFormOneLog_ExportAcrossAKeyChangeVerifies() => TwoNodesAppendOneLogAndAnExportAcrossAKeyChangeVerifiesAsync();

    [Fact]
    public Task SharedKeys_StoredOnlyWrapped_AndARowMovedToAnotherPurposeDoesNotOpen() => SharedKeysAreWrappedAndBoundToPurposeAndIdAsync();

    [Fact]
    public Task SharedKeys_StoredPublicJwkSwapped_JwksServesTheRealKey_ForgedAssertionDoesNotVerify() => SharedKeysPublishTheKeyDerivedFromThePrivateKeyNotTheStoredJwkAsync();

    [Fact]
    public Task AuditExport_InjectedRetiredKeyRow_NotInTheKeyHistory() => AuditKeyHistoryListsOnlyKeysThatOpenUnderTheKekAsync();

    [Fact]
    public Task SharedKeys_SuccessorUnderAKekThisNodeLacks_SigningFailsClosedAtRetirement_AndNotReady() => NodeThatCannotOpenTheSuccessorStopsSigningAtRetirementAsync();

    [Fact]
    public Task Start_PostgresWithoutClusterKek_NamesTheSettingAndTheFix() => PostgresWithoutClusterKekRefusesToStartAsync();

    protected override async Task<IReadOnlyDictionary<string, string>> CreateStorageAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync();
        return Keyward.Testing.Hosting.KeywardStorage.Postgres(_connectionString, Keyward.Testing.Hosting.KeywardStorage.WriteClusterKek(_kek.Path));
    }

    protected override Task DropStorageAsync()
    {
        // Give this test's pooled connections back to the server: the cluster allows a bounded number.
        if (_connectionString is not null)
        {
            using var connection = new NpgsqlConnection(_connectionString);
            NpgsqlConnection.ClearPool(connection);
        }

        _kek.Dispose();
        return Task.CompletedTask;
    }
}
