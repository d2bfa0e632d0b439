namespace Keyward.Testing.Hosting;

/// <summary>How a <see cref="KeywardTestHost"/> is reached.</summary>
public enum KeywardTransport
{
    /// <summary>In process on a TestServer (integration tests): no sockets, origin <c>https://localhost</c>.</summary>
    InProcess,

    /// <summary>On a real Kestrel at 127.0.0.1 on a free port (end-to-end tests, WebSockets, browsers).</summary>
    Kestrel,
}
