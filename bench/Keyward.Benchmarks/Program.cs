using BenchmarkDotNet.Running;

// Run: dotnet run -c Release --project bench/Keyward.Benchmarks -- --filter '*'
// Each benchmark class pairs the full operation with a baseline in the same run, so the Ratio column is
// what to read; absolute times on these shared 2-core machines are noisy.
BenchmarkSwitcher.FromAssembly(typeof(Keyward.Benchmarks.VaultBenchmarks).Assembly).Run(args);
