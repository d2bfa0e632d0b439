using Xunit;

namespace Keyward.Testing;

/// <summary>
/// One <see cref="PostgresCluster"/> shared by every test in the <c>"postgres"</c> collection; tests take a
/// fresh database each (<see cref="PostgresCluster.CreateDatabaseAsync"/>) rather than sharing state.
/// </summary>
/// <remarks>
/// xunit only discovers collection definitions in the test assembly itself, so each test project that uses
/// this fixture declares the collection once:
/// <code>
/// [CollectionDefinition(PostgresFixture.CollectionName)]
/// public sealed class PostgresCollectionDefinition : ICollectionFixture&lt;PostgresFixture&gt;;
/// </code>
/// (not <c>PostgresCollection</c>: CA1711 reserves the <c>Collection</c> suffix for collection types),
/// and its test classes join the collection and take the fixture through their constructor:
/// <code>
/// [Collection(PostgresFixture.CollectionName)]
/// public sealed class StoreTests(PostgresFixture postgres) { ... }
/// </code>
/// Tests in one collection run one after another; the cluster starts once per collection (once per test run
/// when an assembly has a single such collection) and is stopped and deleted after its last test.
/// </remarks>
public sealed class PostgresFixture : IAsyncLifetime
{
    /// <summary>The collection name to declare and to put test classes in.</summary>
    public const string CollectionName = "postgres";

    private PostgresCluster? _cluster;

    /// <summary>The running cluster.</summary>
    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The PostgreSQL fixture has not been initialized.");

    /// <summary>A fresh, empty database on the shared cluster; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default) =>
        Cluster.CreateDatabaseAsync(name: null, cancellationToken);

    /// <inheritdoc />
    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
