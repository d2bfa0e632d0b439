using System.Net;

namespace Keyward.Server.Http;

/// <summary>
/// <c>/metrics</c> in Prometheus text format on a listener of its own (<c>Keyward:Metrics</c>), apart from Keyward's
/// origin: the main listener never serves it, and this one serves nothing else.
/// </summary>
public sealed class MetricsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:Metrics";

    /// <summary>The value of <see cref="Listen"/> that turns the listener off.</summary>
    public const string Off = "off";

    /// <summary>
    /// Where <c>/metrics</c> is served: an <c>http://</c> URL with an IP address (or <c>localhost</c>) and a port, or
    /// <c>off</c>. Default <c>http://127.0.0.1:9464</c>, loopback only: for another machine's Prometheus, bind an
    /// address it can reach and firewall it (the metrics hold no secret, but counts are the operator's business).
    /// </summary>
    public string Listen { get; set; } = "http://127.0.0.1:9464";

    /// <summary>Whether the listener is on.</summary>
    public bool Enabled => !string.Equals(Listen, Off, StringComparison.OrdinalIgnoreCase);

    /// <summary>The address and port to bind (only when <see cref="Enabled"/> and valid).</summary>
    public IPEndPoint EndPoint => ListenAddress.Of(Listen);

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        if (!Enabled)
        {
            return [];
        }

        return Uri.TryCreate(Listen, UriKind.Absolute, out var uri)
            && uri.Scheme == "http"
            && (uri.Host is "localhost" || IPAddress.TryParse(uri.Host.Trim('[', ']'), out _))
            && uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.UserInfo)
            ? []
            : ["Keyward:Metrics:Listen must be \"off\" or an http URL with an IP address and a port, such as http://127.0.0.1:9464."];
    }
}
