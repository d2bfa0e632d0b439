namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>Where a running Keyward (in this process or another) is reached.</summary>
internal interface IKeywardEndpoint
{
    /// <summary>Keyward's public origin: the WebAuthn origin and the pages' Origin.</summary>
    string Origin { get; }

    bool Https { get; }

    string CaFile { get; }

    Uri BaseAddress { get; }

    Uri WebSocketBase { get; }
}
