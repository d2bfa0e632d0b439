using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyward.EndToEnd.Tests.Broker;

/// <summary>
/// A stand-in for the counter service behind Keyward, on loopback: <c>POST /resource/counter</c> answers an
/// incrementing <c>{"value": N}</c>, <c>GET</c> a small HTML page. Both refuse (401) a request without the
/// <c>Keyward-Assertion</c> header, so a request that did not come through Keyward's proxy never counts.
/// </summary>
internal sealed class CounterUpstream : IAsyncDisposable
{
    public const string AssertionHeader = "Keyward-Assertion";

    private readonly WebApplication _app;
    private int _value;
    private int _refused;

    private CounterUpstream(WebApplication app) => _app = app;

    /// <summary>http://127.0.0.1:port.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>How many POSTs were counted.</summary>
    public int Value => Volatile.Read(ref _value);

    /// <summary>How many requests arrived without an assertion.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public static async Task<CounterUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new CounterUpstream(app);
        app.MapPost("/resource/counter", (HttpContext context) => upstream.Guard(context)
            ?? Results.Json(new Dictionary<string, object> { ["value"] = Interlocked.Increment(ref upstream._value), ["account"] = AccountOf(context) }));
        app.MapGet("/", (HttpContext context) => upstream.Guard(context)
            ?? Results.Content($"<!doctype html><title>Counter app</title><p id=\"app-page\">Counter app for {WebUtility.HtmlEncode(AccountOf(context))}.</p>", "text/html; charset=utf-8"));

        // The account-takeover page of issue 9: an upstream's page that calls Keyward's API on its origin with the
        // visitor's credentials, as the reproduced attack did. Each call's outcome goes into #results.
        app.MapGet("/attack", (HttpContext context) => upstream.Guard(context)
            ?? Results.Content(AttackPage, "text/html; charset=utf-8"));
        // An upstream that tries to plant, overwrite or shadow Keyward's cookies on its app host (issue 9, item 5).
        app.MapGet("/cookies", (HttpContext context) =>
        {
            if (upstream.Guard(context) is { } refused)
            {
                return refused;
            }

            foreach (var hostile in HostileSetCookies)
            {
                context.Response.Headers.Append("Set-Cookie", hostile);
            }

            context.Response.Headers.Append("Set-Cookie", "theme=dark; Path=/");
            return Results.Content("<!doctype html><title>Cookies</title><p id=\"cookie-page\">Cookies set.</p>", "text/html; charset=utf-8");
        });
        app.MapGet("/resource/counter", (HttpContext context) => upstream.Guard(context)
            ?? Results.Content($"<!doctype html><title>Counter</title><p id=\"counter-page\">Counter is at {upstream.Value}.</p>", "text/html; charset=utf-8"));
        await app.StartAsync();
        upstream.Address = $"http://127.0.0.1:{new Uri(app.Urls.Single()).Port}";
        return upstream;
    }

    /// <summary>Spellings of Keyward's cookie names an upstream might send, as a browser would read each.</summary>
    public static readonly string[] HostileSetCookies =
    [
        "__Host-keyward-app=kwp_planted; Secure; Path=/",
        "__Host-keyward-app =kwp_planted; Secure; Path=/",
        "__host-keyward-app=kwp_planted; Secure; Path=/",
        "__HOST-KEYWARD-APP=kwp_planted; Secure; Path=/",
        "=__Host-keyward-app=kwp_planted; Secure; Path=/",
        "__Host-keyward-app; Secure; Path=/",
        "__Host-keyward-session=kws_planted; Secure; Path=/",
        "__Host-keyward-pre=planted; Secure; Path=/",
        "__Secure-keyward-x=planted; Secure; Path=/",
        "keyward_session=planted; Path=/",
        "KeyWard=planted; Path=/",
    ];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private const string AttackPage = """
        <!doctype html><title>Attack</title><pre id="results"></pre>
        <script>
        (async () => {
          const keyward = new URLSearchParams(location.search).get('keyward');
          const calls = [
            ['POST', '/api/register/begin', '{}'],
            ['POST', '/api/admin/invites', '{"account_name":"mallory","role":"admin"}'],
            ['POST', '/api/admin/accounts/alice/revoke-sessions', '{}'],
            ['POST', '/session/logout', '{}'],
            ['POST', '/session/logout', null],
          ];
          const out = [];
          for (const [method, path, body] of calls) {
            for (const type of ['application/json', 'text/plain']) {
              try {
                const init = { method, credentials: 'include', headers: { 'content-type': type } };
                if (body !== null) { init.body = body; }
                const response = await fetch(keyward + path, init);
                out.push(`${path} ${type}: ${response.status}`);
              } catch (error) {
                out.push(`${path} ${type}: blocked ${error.name}`);
              }
            }
          }
          try {
            const form = document.createElement('form');
            form.method = 'POST';
            form.action = keyward + '/session/logout';
            form.target = 'sink';
            const sink = document.createElement('iframe');
            sink.name = 'sink';
            document.body.append(sink, form);
            form.submit();
            await new Promise(resolve => setTimeout(resolve, 500));
            out.push('form posted');
          } catch (error) {
            out.push(`form: ${error.name}`);
          }
          document.getElementById('results').textContent = out.join('\n') + '\ndone';
        })();
        </script>
        """;

    // The account the assertion names (its payload, unverified: this stand-in trusts Keyward by the Guard alone).
    private static string AccountOf(HttpContext context)
    {
        var assertion = context.Request.Headers[AssertionHeader].ToString();
        var payload = assertion.Split('.') is [_, var body, _] ? body : string.Empty;
        using var json = System.Text.Json.JsonDocument.Parse(Microsoft.AspNetCore.WebUtilities.Base64UrlTextEncoder.Decode(payload));
        return json.RootElement.GetProperty("name").GetString() ?? string.Empty;
    }

    private IResult? Guard(HttpContext context)
    {
        if (!string.IsNullOrEmpty(context.Request.Headers[AssertionHeader]))
        {
            return null;
        }

        Interlocked.Increment(ref _refused);
        return Results.Problem(statusCode: 401, detail: "No Keyward-Assertion header.", extensions: new Dictionary<string, object?> { ["code"] = "assertion_missing" });
    }
}
