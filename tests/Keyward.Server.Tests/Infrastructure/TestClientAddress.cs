using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Keyward.Server.Tests.Infrastructure;

/// <summary>
/// Lets an in-process test choose the client address of a request (<see cref="Header"/>), as requests from several
/// machines would have: the first middleware, before Keyward's, sets the connection's remote address from it.
/// </summary>
internal sealed class TestClientAddress : IStartupFilter
{
    /// <summary>The request header naming the address the request comes from.</summary>
    public const string Header = "X-Test-Client-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            if (context.Request.Headers[Header] is [{ } value] && IPAddress.TryParse(value, out var address))
            {
                context.Connection.RemoteIpAddress = address;
                context.Request.Headers.Remove(Header);
            }

            return following(context);
        });
        next(app);
    };

    /// <summary>Sends the request from <paramref name="address"/>.</summary>
    public static Action<HttpRequestMessage> From(string address) => r => r.Headers.Add(Header, address);
}
