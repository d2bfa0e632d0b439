using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Keyward.Client;

/// <summary>
/// Where the client connects for a host name, before DNS: <c>localhost</c> and every <c>*.localhost</c> name go to
/// 127.0.0.1, as browsers do (RFC 6761 §6.3), though glibc and .NET's <see cref="Dns"/> resolve only <c>localhost</c>
/// itself; and names given explicitly (<c>--resolve HOST:ADDRESS</c>, like curl's) go to their address. Everything else
/// resolves as usual. TLS still checks the certificate against the host name, not the address.
/// </summary>
public sealed class HostResolution
{
    private readonly Dictionary<string, IPAddress> _map;

    /// <summary>Resolution with explicit entries (host → address); <c>*.localhost</c> is always loopback unless mapped.</summary>
    public HostResolution(IEnumerable<KeyValuePair<string, IPAddress>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _map = new Dictionary<string, IPAddress>(StringComparer.OrdinalIgnoreCase);
        foreach (var (host, address) in entries)
        {
            _map[Normalize(host)] = address;
        }
    }

    /// <summary>Only the <c>*.localhost</c> rule.</summary>
    public static HostResolution Default { get; } = new([]);

    /// <summary>The explicit entries.</summary>
    public IReadOnlyDictionary<string, IPAddress> Entries => _map;

    /// <summary>The address to connect to for <paramref name="host"/>, or null to resolve it through DNS.</summary>
    public IPAddress? Resolve(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = Normalize(host);
        if (_map.TryGetValue(name, out var address))
        {
            return address;
        }

        return name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal) ? IPAddress.Loopback : null;
    }

    /// <summary>
    /// Reads <c>HOST:ADDRESS</c> (<c>counter.example.com:10.0.0.5</c>, <c>app.test:[::1]</c>); false with a message
    /// that says what is wrong and how to write it.
    /// </summary>
    public static bool TryParse(string value, out KeyValuePair<string, IPAddress> entry, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        entry = default;
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var host = colon < 0 ? string.Empty : value[..colon].Trim();
        var text = colon < 0 ? string.Empty : value[(colon + 1)..].Trim();
        if (Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            error = $"--resolve '{value}' must be HOST:ADDRESS with a DNS name first, e.g. counter.localhost:127.0.0.1.";
            return false;
        }

        if (!IPAddress.TryParse(text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text, out var address))
        {
            error = $"--resolve '{value}': '{text}' is not an IP address; write HOST:ADDRESS, e.g. {host}:127.0.0.1 or {host}:[::1].";
            return false;
        }

        entry = new KeyValuePair<string, IPAddress>(host, address);
        error = null;
        return true;
    }

    /// <summary>Makes <paramref name="handler"/> connect through this resolution.</summary>
    public void Apply(SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handler.ConnectCallback = ConnectAsync;
    }

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/>: a TCP connection to the mapped address, or to the name.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = context.DnsEndPoint;
        EndPoint endPoint = Resolve(target.Host) is { } address ? new IPEndPoint(address, target.Port) : target;

        // A dual-mode socket connects to IPv4 and IPv6 alike; with a DnsEndPoint it tries each address in turn.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string Normalize(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();
}
