using Keyward.Cli.Broker;
using Keyward.Testing;

namespace Keyward.Cli.Tests.Broker;

/// <summary>
/// How <c>keyward demo</c> and the load bench find the counter sample: in <c>counter/</c> beside the host, where the
/// host's build copies it and a publish puts it (src/Keyward.Cli/CounterSample.targets), and nowhere else.
/// </summary>
public sealed class CounterProcessTests : IDisposable
{
    private readonly TempDirectory _host = new("keyward-counter-lookup-");

    [Fact]
    public void TryFind_CounterInCounterFolderBesideHost_ReturnsItsPath()
    {
        var expected = _host.Combine("counter", "Keyward.Samples.Counter.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(expected)!);
        File.WriteAllBytes(expected, []);

        var found = CounterProcess.TryFind(_host.Path, "src/Keyward.Cli", out var dll, out var problem);

        Assert.True(found);
        Assert.Equal(expected, dll);
        Assert.Null(problem);
    }

    [Fact]
    public void TryFind_OnlyTheSelfContainedExecutable_ReturnsTheExecutable()
    {
        // The layout of the self-contained single-file publish: counter/ holds the counter's own executable, no dll.
        var expected = CounterProcess.ExecutableBeside(_host.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(expected)!);
        File.WriteAllBytes(expected, []);

        var found = CounterProcess.TryFind(_host.Path, "src/Keyward.Cli", out var counter, out var problem);

        Assert.True(found);
        Assert.Equal(_host.Combine("counter", OperatingSystem.IsWindows() ? "Keyward.Samples.Counter.exe" : "Keyward.Samples.Counter"), counter);
        Assert.Null(problem);
    }

    [Fact]
    public void TryFind_DllAndExecutable_ReturnsTheDll()
    {
        // A framework-dependent build has both (the executable is its launcher); the dll runs with dotnet wherever
        // .NET is installed, the launcher only where .NET is found in a standard place.
        var dll = _host.Combine("counter", "Keyward.Samples.Counter.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(dll)!);
        File.WriteAllBytes(dll, []);
        File.WriteAllBytes(CounterProcess.ExecutableBeside(_host.Path), []);

        Assert.True(CounterProcess.TryFind(_host.Path, "src/Keyward.Cli", out var counter, out _));
        Assert.Equal(dll, counter);
    }

    [Fact]
    public void TryFind_CounterBuiltBesideHostButNotInCounterFolder_IsNotFound()
    {
        // The old layout (the sample's dll among the host's own assemblies) is not looked at any more.
        File.WriteAllBytes(_host.Combine("Keyward.Samples.Counter.dll"), []);

        Assert.False(CounterProcess.TryFind(_host.Path, "src/Keyward.Cli", out var dll, out _));
        Assert.Null(dll);
    }

    [Fact]
    public void TryFind_CounterNotBuilt_NamesTheMissingFileAndTheBuildCommand()
    {
        var found = CounterProcess.TryFind(_host.Path, "src/Keyward.Cli", out var dll, out var problem);

        Assert.False(found);
        Assert.Null(dll);
        Assert.NotNull(problem);
        Assert.Contains(_host.Combine("counter", "Keyward.Samples.Counter.dll"), problem, StringComparison.Ordinal);
        Assert.Matches("run `dotnet build (-c [A-Za-z]+ )?src/Keyward.Cli`", problem);
        Assert.DoesNotContain("Exception", problem, StringComparison.Ordinal);
    }

    public void Dispose() => _host.Dispose();
}
