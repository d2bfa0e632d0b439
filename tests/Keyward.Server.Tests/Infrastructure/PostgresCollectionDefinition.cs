using Keyward.Testing;

namespace Keyward.Server.Tests.Infrastructure;

/// <summary>One throwaway PostgreSQL cluster for every test class in this assembly's "postgres" collection.</summary>
[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresCollectionDefinition : ICollectionFixture<PostgresFixture>;
