using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Cli.Broker;
using Keyward.Cli.Operators;
using Keyward.Client;

namespace Keyward.Cli.Support;

/// <summary>
/// Mints join tokens for one support session with the saved session (<c>POST /api/support/sessions/{id}/join</c>), one
/// per viewer socket, and opens those sockets (<c>/viewer/v1/sessions/{id}</c>) against the same server, CA and
/// <c>--resolve</c>. When Keyward asks for a step-up (an unattended session), the key file makes it, each time. A join
/// token is never printed or logged.
/// </summary>
internal sealed class ViewerJoin : IDisposable
{
    private readonly ParseResult _parse;
    private readonly OperatorOptions _options;
    private readonly Guid _session;
    private readonly KeywardClient _client;
    private readonly HttpClient _http;
    private readonly string _token;
    private readonly HttpMessageInvoker _sockets;
    private readonly Uri _server;
    private (VirtualAuthenticator Key, string Path, string Passphrase)? _key;

    public ViewerJoin(ParseResult parse, OperatorOptions options, Guid session)
    {
        _parse = parse;
        _options = options;
        _session = session;
        (_client, _http, _token) = OperatorCall.Connect(parse, options);
        var (address, ca) = SavedServer.Resolve(parse, options.Server, options.CaCert, parse.GetValue(options.TokenFile)!.FullName);
        _server = address;
        _sockets = new HttpMessageInvoker(CaTrust.CreateHandler(ca?.FullName, ResolveOption.Read(parse, options.Resolve)));
    }

    /// <summary>The support session's state as <c>GET /api/support/sessions</c> lists it, or null when it is not listed (ended, or not the caller's).</summary>
    public async Task<string?> StateAsync(CancellationToken cancellationToken)
    {
        var response = (await _client.SendAsync(HttpMethod.Get, "/api/support/sessions", token: _token, cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess();
        using var document = JsonDocument.Parse(response.Body);
        foreach (var s in document.RootElement.GetProperty("sessions").EnumerateArray())
        {
            if (Tables.Value(s, "id") is { } id && Guid.TryParse(id, out var g) && g == _session)
            {
                return Tables.Value(s, "state");
            }
        }

        return null;
    }

    /// <summary>Mints a join token and opens a viewer socket for <paramref name="target"/> (a query: <c>kind=tcp&amp;port=N</c> or <c>kind=terminal&amp;cols=C&amp;rows=R</c>).</summary>
    public async Task<ViewerSocket> OpenAsync(string target, CancellationToken cancellationToken)
    {
        var join = await MintAsync(cancellationToken).ConfigureAwait(false);
        var uri = new UriBuilder(new Uri(_server, $"/viewer/v1/sessions/{_session}"))
        {
            Scheme = _server.Scheme == Uri.UriSchemeHttp ? "ws" : "wss",
            Query = target,
        }.Uri;
        return await ViewerSocket.ConnectAsync(uri, join, _sockets, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> MintAsync(CancellationToken cancellationToken)
    {
        var path = $"/api/support/sessions/{_session}/join";
        KeywardResponse response;
        try
        {
            response = (await _client.SendAsync(HttpMethod.Post, path, new JsonObject(), _token, cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess();
        }
        catch (KeywardProblemException e) when (e.StepUp is { } needed)
        {
            var (key, keyPath, passphrase) = _key ??= LoadKey();
            await _client.StepUpAsync(key, _token, needed.Purpose, needed.Target, cancellationToken).ConfigureAwait(false);
            key.Save(keyPath, passphrase);
            response = (await _client.SendAsync(HttpMethod.Post, path, new JsonObject(), _token, cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess();
        }

        using var document = JsonDocument.Parse(response.Body);
        return Tables.Value(document.RootElement, "join_token") is { Length: > 0 } token
            ? token
            : throw new InvalidOperationException("Keyward's join answer carried no join token.");
    }

    private (VirtualAuthenticator, string, string) LoadKey()
    {
        var (http, key, path, passphrase) = SessionCommands.Open(_parse, _options.Server, _options.CaCert, _options.Resolve, _options.KeyFile, _parse.GetValue(_options.TokenFile)!.FullName);
        http.Dispose();
        return (key, path, passphrase);
    }

    public void Dispose()
    {
        _http.Dispose();
        _sockets.Dispose();
    }
}
