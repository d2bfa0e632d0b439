namespace Keyward.Client;

/// <summary>How a <see cref="KeywardClient"/> talks to Keyward.</summary>
public sealed record KeywardClientOptions
{
    /// <summary>
    /// Keyward's public origin (<c>https://keyward.example</c>): what the key signs for and what pages send as
    /// Origin. Default: the scheme, host and port of the HttpClient's base address.
    /// </summary>
    public string? Origin { get; init; }

    /// <summary>Called with every response the client receives, for callers that keep a record (tests scan them for secrets).</summary>
    public Action<KeywardResponse>? OnResponse { get; init; }
}
