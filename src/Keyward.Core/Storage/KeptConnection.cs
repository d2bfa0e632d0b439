namespace Keyward.Core.Storage;

/// <summary>What every <see cref="KeptConnection{TCommands}"/> shares.</summary>
internal static class KeptConnection
{
    /// <summary>
    /// How long a writer keeps its connection open with nothing to write (issue 15): long enough that a steady trickle
    /// of writes never reopens it, short enough that a connection the server closed meanwhile is not reused long after.
    /// </summary>
    public static readonly TimeSpan Idle = TimeSpan.FromSeconds(2);
}
