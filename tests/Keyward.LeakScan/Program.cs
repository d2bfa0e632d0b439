using Keyward.Testing.LeakScan;

// keyward-leakscan <run directory>: prints every finding (file, offset, kind, first characters; never a whole secret)
// and exits 1 when there is one, 0 when the run is clean, 2 when the directory is missing.
if (args.Length != 1 || !Directory.Exists(args[0]))
{
    await Console.Error.WriteLineAsync("usage: Keyward.LeakScan <run directory> (an existing directory)");
    return 2;
}

var findings = LeakScanner.Scan(args[0]);
foreach (var finding in findings)
{
    Console.WriteLine($"leak: {finding}");
}

var files = Directory.EnumerateFiles(args[0], "*", SearchOption.AllDirectories).Count();
Console.WriteLine(findings.Count == 0
    ? $"Leak scan: {files} files under {args[0]}, nothing that looks like a secret."
    : $"Leak scan: {findings.Count} finding(s) in {files} files under {args[0]}. Skipped by name: {string.Join(", ", LeakScanner.AllowList.Select(a => a.Pattern))}.");
return findings.Count == 0 ? 0 : 1;
