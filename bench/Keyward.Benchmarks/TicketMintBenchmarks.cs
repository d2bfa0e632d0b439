using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Keyward.Core.Audit;
using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Core.Tickets;
using Keyward.Testing.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Keyward.Benchmarks;

/// <summary>
/// One WebSocket ticket mint's own cost, without sockets, TLS or a load generator (issue 15, "Single use": mints ≥
/// 5,000/s over HTTPS): <c>POST /api/auth/ws-ticket {"route": …}</c> with a session and Keyward's own Origin, through
/// Keyward's whole pipeline on a TestServer (authentication, same-origin writes, the Session policy, body binding, the
/// route check, the group-committed INSERT, the awaited audit record, the JSON answer), and its pieces alone: the
/// ticket's INSERT (<see cref="WebSocketTicketService.IssueAsync"/>), one audit record
/// (<see cref="IAuditLog.RecordAsync"/>), and the session check (cache hit). Allocations per operation are exact and
/// what to read on a busy box; every mint checks the 200, so a refusal cannot pass for a fast mint.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class TicketMintBenchmarks
{
    private const string Route = "socket";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"route\":\"" + Route + "\"}");
    private KeywardTestHost _keyward = null!;
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");
    private HttpClient _http = null!;
    private string _authorization = null!;
    private string _token = null!;
    private string _origin = null!;
    private SessionService _sessions = null!;
    private WebSocketTicketService _tickets = null!;
    private IAuditLog _audit = null!;
    private SessionInfo _session = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _keyward = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Settings = new Dictionary<string, string>
            {
                [$"Keyward:Routes:{Route}:Path"] = "/ws/{**rest}",
                [$"Keyward:Routes:{Route}:Upstream"] = "https://upstream.test",
                [$"Keyward:Routes:{Route}:WebSocket:Enabled"] = "true",
            },
            Logging = logging => logging.SetMinimumLevel(LogLevel.Warning),
        });
        using (var client = _keyward.CreateClient())
        {
            await client.RegisterAdminAsync(_keyward.SetupCode!);
            _token = (await client.LoginAsync()).Token;
            _authorization = "Bearer " + _token;
        }

        _origin = _keyward.Origin;
        _sessions = _keyward.GetRequiredService<SessionService>();
        _tickets = _keyward.GetRequiredService<WebSocketTicketService>();
        _audit = _keyward.GetRequiredService<IAuditLog>();
        _session = (await _sessions.CheckAsync(_token)).Session!;
        _http = new HttpClient(_keyward.App.GetTestServer().CreateHandler()) { BaseAddress = new Uri(_origin) };

        // The mint must answer 200; without the session 401, from another Origin 403.
        await Mint();
        if (await SendAsync(authorization: null, _origin) != HttpStatusCode.Unauthorized)
        {
            throw new InvalidOperationException("Keyward minted without a session.");
        }

        if (await SendAsync(_authorization, "https://elsewhere.test") != HttpStatusCode.Forbidden)
        {
            throw new InvalidOperationException("Keyward minted for a foreign Origin.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _keyward.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "whole mint (POST /api/auth/ws-ticket)")]
    public async Task Mint()
    {
        var status = await SendAsync(_authorization, _origin);
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"The mint answered {status}.");
        }
    }

    [Benchmark(Description = "ticket INSERT (group commit)")]
    public async Task<string> Insert() => (await _tickets.IssueAsync(_session, Route, _origin, TimeSpan.FromSeconds(30))).Token;

    [Benchmark(Description = "one audit record")]
    public async Task<long> AuditRecord() => await _audit.RecordAsync(new AuditRecord
    {
        Actor = _session.AccountName,
        Action = AuditActions.WebSocketTicketIssued,
        Target = Route,
        Outcome = AuditOutcomes.Success,
        Details = new Dictionary<string, string> { ["session_id"] = _session.Id.ToString(), ["origin"] = _origin, ["credential"] = "kwt_bench…" },
    });

    [Benchmark(Description = "SecretToken.Generate (the ticket's token)")]
    public string Token() => SecretToken.Generate(CredentialKind.WebSocketTicket);

    [Benchmark(Description = "the token as before issue 15's cut (BigInteger base62; a reference copy)")]
    public string TokenBefore() => BigIntegerToken("kwt_");

    [Benchmark(Description = "session check (cache hit)")]
    public bool SessionCheck() => _sessions.CheckAsync(_token).AsTask().GetAwaiter().GetResult().IsValid;

    // Through the TestServer's handler, so the body reaches the endpoint as a client's would (the HttpClient's own
    // objects are in every row that sends, the same before and after a change).
    private async Task<HttpStatusCode> SendAsync(string? authorization, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/ws-ticket") { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Origin", origin);
        request.Headers.Accept.Add(Json);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    // SecretToken.Generate as it was before the limb encoder (32 random bytes, BigInteger base62 to 43 characters, the
    // base62 CRC-32 of the head), only to measure what the cut saved.
    private static string BigIntegerToken(string prefix)
    {
        Span<byte> random = stackalloc byte[32];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        var value = new System.Numerics.BigInteger(random, isUnsigned: true, isBigEndian: true);
        var chars = new char[43];
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            value = System.Numerics.BigInteger.DivRem(value, 62, out var remainder);
            chars[i] = Alphabet[(int)remainder];
        }

        var head = prefix + new string(chars);
        Span<char> checksum = stackalloc char[6];
        Span<byte> ascii = stackalloc byte[47];
        var crc = System.IO.Hashing.Crc32.HashToUInt32(ascii[..Encoding.ASCII.GetBytes(head, ascii)]);
        for (var i = checksum.Length - 1; i >= 0; i--)
        {
            (crc, var r) = Math.DivRem(crc, 62u);
            checksum[i] = Alphabet[(int)r];
        }

        return head + new string(checksum);
    }

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
}
