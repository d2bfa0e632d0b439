namespace Keyward.LoadBench;

/// <summary>Which load generator drives the run.</summary>
internal enum GeneratorKind
{
    /// <summary>wrk when it is on PATH, else the built-in generator (the default).</summary>
    Auto,

    /// <summary>The built-in closed-loop generator: no extra install, exact percentiles and an exact count.</summary>
    Builtin,

    /// <summary>Debian's wrk (<c>apt-get install wrk</c>), in its own process: several times cheaper per request.</summary>
    Wrk,
}
