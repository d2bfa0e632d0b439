namespace Keyward.Testing.LeakScan;

/// <summary>
/// One thing that looks like a secret in a file: where (path relative to the scanned root, byte offset), what kind,
/// and at most its first 8 characters (the same redaction Keyward's own logs use), never the whole value.
/// </summary>
/// <param name="Path">The file, relative to the scanned directory.</param>
/// <param name="Offset">The byte offset of the match.</param>
/// <param name="Kind">What matched: <c>credential kws_</c>, <c>setup-code shape</c>, <c>PEM private key</c>.</param>
/// <param name="Prefix">The first characters of the match, for finding it again.</param>
public sealed record LeakFinding(string Path, long Offset, string Kind, string Prefix)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path} @ {Offset}: {Kind} ({Prefix}…)";
}
