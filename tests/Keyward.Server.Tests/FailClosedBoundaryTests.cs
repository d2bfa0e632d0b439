using System.Text.Json;
using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Keys;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Tests;

/// <summary>
/// The pipeline's fail-closed boundaries, which issue 15 folded into <see cref="HttpErrorsMiddleware"/>'s one
/// try/catch as <see cref="IFailClosedAnswer"/>s (they were two middlewares of their own around it): a signing key past
/// its retirement and an audit log that cannot record answer 503 with their codes, dropping what the request had put in
/// the response but keeping HSTS, and an exception after the response started is not swallowed. Each fails if its
/// answer is not registered or not asked.
/// </summary>
public sealed class FailClosedBoundaryTests
{
    [Theory]
    [InlineData("signing_key_retired")]
    [InlineData("audit_unavailable")]
    public async Task FailClosedException_FromBelow_Answers503WithItsCode_WithoutWhatTheRequestHadSet(string code)
    {
        var context = NewContext();
        var middleware = Middleware(c =>
        {
            c.Response.Headers.SetCookie = "kw_session=x";
            c.Response.Headers.StrictTransportSecurity = "max-age=31536000";
            throw code == "signing_key_retired" ? new SigningKeyRetiredException("past retire_at") : new AuditUnavailableException("the audit log is down");
        });

        await middleware.InvokeAsync(context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(0, context.Response.Headers.SetCookie.Count);
        Assert.Equal("max-age=31536000", context.Response.Headers.StrictTransportSecurity.ToString());
        Assert.Equal(code, Code(context));
    }

    [Fact]
    public async Task EitherException_AfterTheResponseStarted_IsNotSwallowed()
    {
        var started = new StartedResponseFeature();
        var context = NewContext(started);
        var retired = Middleware(_ => throw new SigningKeyRetiredException("past retire_at"));
        var audit = Middleware(_ => throw new AuditUnavailableException("the audit log is down"));

        await Assert.ThrowsAsync<SigningKeyRetiredException>(() => retired.InvokeAsync(context));
        await Assert.ThrowsAsync<AuditUnavailableException>(() => audit.InvokeAsync(context));
    }

    private static HttpErrorsMiddleware Middleware(Action<HttpContext> next) =>
        new(
            c =>
            {
                next(c);
                return Task.CompletedTask;
            },
            Options.Create(new KeywardOptions()),
            Options.Create(new HstsOptions()),
            [new SigningKeyRetiredAnswer(NullLogger<SigningKeyRetiredAnswer>.Instance), new AuditFailClosedAnswer()],
            NullLogger<HttpErrorsMiddleware>.Instance);

    private static DefaultHttpContext NewContext(StartedResponseFeature? started = null)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        if (started is not null)
        {
            context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(started);
        }

        return context;
    }

    private static string? Code(HttpContext context)
    {
        context.Response.Body.Position = 0;
        using var json = JsonDocument.Parse(context.Response.Body);
        return json.RootElement.GetProperty("code").GetString();
    }

    private sealed class StartedResponseFeature : Microsoft.AspNetCore.Http.Features.HttpResponseFeature
    {
        public override bool HasStarted => true;
    }
}
