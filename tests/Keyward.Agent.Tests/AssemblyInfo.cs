using System.Runtime.Versioning;

// The tests read Unix file modes and run a PTY: the agent is Unix-only.
[assembly: UnsupportedOSPlatform("windows")]
