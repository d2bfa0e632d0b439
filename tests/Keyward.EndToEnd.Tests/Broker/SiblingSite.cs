using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyward.EndToEnd.Tests.Broker;

/// <summary>
/// An attacker's page on a sibling origin of Keyward's (another port on localhost: the same site, so SameSite=Strict
/// cookies go along): <c>GET /post?target=URL</c> answers a page whose HTML form posts itself to that URL at once,
/// the classic cross-site request forgery; <c>GET /fetch?target=URL</c> one whose script does the same with a no-cors
/// <c>fetch</c> (a "simple" request: no preflight, cookies included, answer unreadable).
/// </summary>
internal sealed class SiblingSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SiblingSite(WebApplication app) => _app = app;

    /// <summary>http://localhost:port: the same site as a Keyward on http://localhost, another origin.</summary>
    public string Origin { get; private set; } = string.Empty;

    public static async Task<SiblingSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/post", (string target) => Results.Content(
            $"""
            <!doctype html><title>Win a prize</title>
            <form method="post" action="{WebUtility.HtmlEncode(target)}"><input type="hidden" name="prize" value="1"></form>
            <script>document.forms[0].submit();</script>
            """,
            "text/html; charset=utf-8"));

        // A script's write that needs no CORS preflight: it goes out with the cookies; only its answer is opaque.
        app.MapGet("/fetch", (string target) => Results.Content(
            $$"""
            <!doctype html><title>Win a prize</title><p id="result">sending</p>
            <script>
            fetch({{JsonSerializer.Serialize(target)}}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{}' })
              .then(() => { document.getElementById('result').textContent = 'sent'; }, e => { document.getElementById('result').textContent = 'failed: ' + e; });
            </script>
            """,
            "text/html; charset=utf-8"));
        await app.StartAsync();
        var site = new SiblingSite(app) { Origin = $"http://localhost:{new Uri(app.Urls.Single()).Port}" };
        return site;
    }

    /// <summary>The address of a page that posts a form to <paramref name="target"/> as soon as it loads.</summary>
    public string FormPostingTo(string target) => $"{Origin}/post?target={Uri.EscapeDataString(target)}";

    /// <summary>The address of a page whose script POSTs to <paramref name="target"/> (no-cors, with credentials) and then shows "sent".</summary>
    public string FetchPostingTo(string target) => $"{Origin}/fetch?target={Uri.EscapeDataString(target)}";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
