using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Keyward.Testing;
using Keyward.Testing.Hosting;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// Bounded input: Keyward's own endpoints read at most Keyward:MaxRequestBodyBytes of a body, on a real Kestrel (the
/// limit is Kestrel's), and a flood of huge bodies costs the process no memory to speak of. Before the limit, 30
/// `login/begin` requests with a 14 MB username took the process from 160 MB to about 6 GB.
/// </summary>
public sealed class RequestBoundsTests
{
    private const long Huge = 14L * 1024 * 1024;

    [Fact]
    public async Task LoginBegin_BodyOverTheLimit_Gets413BodyTooLargeProblem()
    {
        await using var host = await StartAsync();

        // The client waits for Keyward's answer to Expect: 100-continue for up to a minute (not .NET's default second,
        // after which it would start sending the body anyway, and a loaded machine would see the refusal close the
        // connection under it: "Broken pipe").
        var handler = (SocketsHttpHandler)host.CreateHandler();
        handler.Expect100ContinueTimeout = TimeSpan.FromMinutes(1);
        using var http = new HttpClient(handler) { BaseAddress = host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/session/login/begin") { Content = new UsernameContent(Huge) };

        // With Expect: 100-continue the client waits for Keyward, which refuses before the body is sent.
        request.Headers.ExpectContinue = true;
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"code\":\"body_too_large\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginBegin_BodyJustUnderTheLimit_IsReadAndTheLongNameRefusedPlainly()
    {
        await using var host = await StartAsync();
        using var http = host.CreateHttpClient();
        using var content = new UsernameContent(60 * 1024);

        using var response = await http.PostAsync(new Uri("/session/login/begin", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"code\":\"username_required\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginBegin_FloodOfHugeBodies_KeepsMemoryBoundedAndKeepsServing()
    {
        await using var host = await StartAsync();
        using var http = host.CreateHttpClient();
        using (var warm = await http.PostAsync(new Uri("/session/login/begin", UriKind.Relative), new UsernameContent(16)))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var before = WorkingSet();

        // The exact flood from the review: 30 one after another, then 40 at once, each a 14 MB username, sent as an
        // attacker sends it (no Expect: 100-continue). Keyward answers 413 and closes; the sender may see the close.
        for (var i = 0; i < 30; i++)
        {
            await SendHugeAsync(http);
        }

        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => SendHugeAsync(http))));

        // Reading 70 bodies of 14 MB would have cost gigabytes; a few dozen MB of growth is the runtime's own noise.
        var grown = WorkingSet() - before;
        Assert.True(grown < 256L * 1024 * 1024, $"The working set grew by {grown / (1024 * 1024)} MB under the flood.");
        using var after = await http.PostAsync(new Uri("/session/login/begin", UriKind.Relative), new UsernameContent(16));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static async Task SendHugeAsync(HttpClient http)
    {
        try
        {
            using var response = await http.PostAsync(new Uri("/session/login/begin", UriKind.Relative), new UsernameContent(Huge));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // Keyward closed the connection while the body was still being sent: refused all the same.
        }
    }

    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    private static Task<KeywardTestHost> StartAsync() => KeywardTestHost.StartAsync(new KeywardTestHostOptions
    {
        Transport = KeywardTransport.Kestrel,
        Https = false,
        Settings = new Dictionary<string, string> { ["Keyward:SignIn:PerAddressPerMinute"] = "100000" },
    });

    /// <summary>{"username":"aaa…"} of a given length, generated as it is sent (the test never holds it in memory).</summary>
    private sealed class UsernameContent : HttpContent
    {
        private static readonly byte[] Head = "{\"username\":\""u8.ToArray();
        private static readonly byte[] Tail = "\"}"u8.ToArray();
        private readonly long _nameLength;

        public UsernameContent(long nameLength)
        {
            _nameLength = nameLength;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Head);
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'a');
            for (var left = _nameLength; left > 0; left -= chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
            }

            await stream.WriteAsync(Tail);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Head.Length + _nameLength + Tail.Length;
            return true;
        }
    }
}
