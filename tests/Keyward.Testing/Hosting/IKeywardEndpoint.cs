using System.Net.WebSockets;

namespace Keyward.Testing.Hosting;

/// <summary>Where a running Keyward is reached and how to trust it: a <see cref="KeywardTestHost"/>, or Keyward in a child process.</summary>
public interface IKeywardEndpoint
{
    /// <summary>Keyward's public origin: the WebAuthn origin and the Origin its pages send.</summary>
    string Origin { get; }

    /// <summary>Where HTTP clients connect.</summary>
    Uri BaseAddress { get; }

    /// <summary>Where WebSocket clients connect.</summary>
    Uri WebSocketBase { get; }

    /// <summary>A handler to Keyward: no cookie jar, no redirects followed, its certificate trusted.</summary>
    HttpMessageHandler CreateHandler();

    /// <summary>Sets a WebSocket client up to trust Keyward's certificate.</summary>
    void ConfigureWebSocket(ClientWebSocketOptions options);
}
