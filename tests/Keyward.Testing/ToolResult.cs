namespace Keyward.Testing;

/// <summary>How a tool finished: its exit code and its standard output and error, interleaved.</summary>
internal sealed record ToolResult(int ExitCode, string Output);
