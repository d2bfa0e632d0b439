using System.Net;
using System.Text.Json;
using Keyward.AspNetCore.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Keyward.Samples.Counter.Tests;

public sealed class CounterTests : IAsyncLifetime, IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private readonly TestSigningKey _key = new("kw-test-1");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "keyward-counter-" + Guid.NewGuid().ToString("N"));
    private FakeKeyward _keyward = null!;

    private string DataDirectory => Path.Combine(_directory, "data");

    private string CaFile => Path.Combine(_directory, "ca.pem");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(CaFile, _certificates.CaPem);
        _keyward = await FakeKeyward.StartAsync(_certificates.Server);
        _keyward.Publish(_key);
    }

    public async Task DisposeAsync() => await _keyward.DisposeAsync();

    public void Dispose()
    {
        _certificates.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private CounterApp Start()
    {
        var app = new CounterApp(DataDirectory, _keyward.Issuer, CaFile);
        _ = app.Client;
        return app;
    }

    private string Assertion(string audience = "counter") =>
        new AssertionSpec { Issuer = _keyward.Issuer, IssuedAt = DateTimeOffset.UtcNow, Audience = audience }.Mint(_key);

    [Fact]
    public async Task PostCounter_200ConcurrentValidAssertions_ValuesUniqueAndGapFree()
    {
        await using var app = Start();

        var values = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => app.IncrementAsync(Assertion()))));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), values.Order());
    }

    [Fact]
    public async Task PostCounter_TwoInstancesOnOneFile_ValuesUniqueAndGapFree()
    {
        await using var first = Start();
        await using var second = Start();

        var values = await Task.WhenAll(Enumerable.Range(0, 100).SelectMany(_ => new[]
        {
            Task.Run(() => first.IncrementAsync(Assertion())),
            Task.Run(() => second.IncrementAsync(Assertion())),
        }));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), values.Order());
    }

    [Fact]
    public async Task PostCounter_WithoutAssertion_Returns401ProblemJson()
    {
        await using var app = Start();

        var response = await app.PostAsync(assertion: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("assertion_missing", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(1, await app.IncrementAsync(Assertion()));
    }

    [Fact]
    public async Task PostCounter_AssertionForAnotherService_Returns401WrongAudience()
    {
        await using var app = Start();

        var response = await app.PostAsync(Assertion(audience: "billing"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("assertion_wrong_audience", problem.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task PostCounter_AfterRestart_ContinuesFromStoredValue()
    {
        await using (var app = Start())
        {
            Assert.Equal(1, await app.IncrementAsync(Assertion()));
            Assert.Equal(2, await app.IncrementAsync(Assertion()));
            Assert.Equal(3, await app.IncrementAsync(Assertion()));
        }

        await using (var restarted = Start())
        {
            Assert.Equal(4, await restarted.IncrementAsync(Assertion()));
        }
    }

    [Fact]
    public async Task Start_StorageIsWalInTheDataDirectory()
    {
        await using var app = Start();
        Assert.Equal(1, await app.IncrementAsync(Assertion()));

        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "counter.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar() as string);
    }

    [Fact]
    public async Task Healthz_WithoutAssertion_Returns200()
    {
        await using var app = Start();

        var response = await app.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_WithoutAssertion_Returns401()
    {
        await using var app = Start();

        var response = await app.Client.GetAsync("/resource/other");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Start_WithoutAuthority_FailsNamingTheSetting()
    {
        await using var app = new CounterApp(DataDirectory, issuer: "", CaFile);

        var error = Assert.ThrowsAny<Exception>(() => app.Client);

        Assert.Contains("Counter:Authority is required", error.ToString(), StringComparison.Ordinal);
    }
}
