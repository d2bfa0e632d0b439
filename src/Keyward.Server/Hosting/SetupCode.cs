namespace Keyward.Server.Hosting;

/// <summary>The setup code issued at this start, if any. Process memory only; no endpoint returns it.</summary>
public sealed class SetupCode
{
    /// <summary>The code, or null when an admin already existed.</summary>
    public string? Value { get; internal set; }

    /// <summary>Whether to print the code to the console at start (the demo turns this off).</summary>
    public bool Print { get; set; } = true;

    /// <inheritdoc />
    public override string ToString() => Value is null ? "(none)" : "(set)";
}
