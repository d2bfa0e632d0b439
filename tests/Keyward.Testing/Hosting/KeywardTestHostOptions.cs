using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.Testing.Hosting;

/// <summary>How to start a <see cref="KeywardTestHost"/>. Everything Keyward reads goes in as configuration, as an operator's would.</summary>
public sealed record KeywardTestHostOptions
{
    /// <summary>In process (TestServer, the default) or on Kestrel.</summary>
    public KeywardTransport Transport { get; init; } = KeywardTransport.InProcess;

    /// <summary>
    /// Kestrel only: https with Keyward's generated local CA (the default), or plain http in Development with
    /// <c>DangerousAllowHttp</c> (Chromium treats http://localhost as a secure context).
    /// </summary>
    public bool Https { get; init; } = true;

    /// <summary>An existing data directory (kept afterwards; a second host on it models a restart or another node). Default: a fresh temporary one, deleted on dispose.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Settings such as <c>Keyward:Routes:echo:Path</c> (and <see cref="KeywardStorage"/>); later ones win over earlier ones.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Arguments that need Keyward's public origin, known only once the port is (WebSocket AllowedOrigins), such as <c>--Keyward:Routes:echo:WebSocket:AllowedOrigins:0=&lt;origin&gt;</c>.</summary>
    public Func<string, IEnumerable<string>>? ArgumentsForOrigin { get; init; }

    /// <summary>Raw command-line arguments, appended last (they win over <see cref="Settings"/>).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The clock Keyward uses (a FakeTimeProvider for expiry tests). Default: the system clock.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Registrations applied after Keyward's own (the last registration wins): fakes, recorders.</summary>
    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>Logging; by default Keyward logs nothing (its logs are not what tests assert on).</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }

    /// <summary>Anything else on the builder, run before Keyward adds its services (Kestrel listen handles, say).</summary>
    public Action<WebApplicationBuilder>? Configure { get; init; }
}
