using System.Runtime.Versioning;

// The agent creates its key file with a Unix mode and runs terminals under a Unix PTY: it is not built for Windows.
[assembly: UnsupportedOSPlatform("windows")]
