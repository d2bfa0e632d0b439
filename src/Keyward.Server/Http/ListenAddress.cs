using System.Net;

namespace Keyward.Server.Http;

/// <summary>The address and port a validated listen URL (<c>Keyward:Listen</c>, <c>Keyward:Metrics:Listen</c>) binds: <c>localhost</c> is loopback.</summary>
public static class ListenAddress
{
    /// <summary>The end point of <paramref name="url"/>, e.g. <c>https://127.0.0.1:8443</c> or <c>http://[::1]:9464</c>.</summary>
    public static IPEndPoint Of(string url)
    {
        var uri = new Uri(url);
        return new IPEndPoint(uri.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
    }
}
