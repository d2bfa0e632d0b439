using Keyward.Core.Audit;
using Keyward.Server.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests.Infrastructure;

/// <summary>
/// The broker in-process on a TestServer, configured only through settings (as an operator would) plus a fake
/// clock. Clients talk to it as https://localhost, the public origin, so Secure cookies and WebAuthn origins hold.
/// </summary>
internal sealed class BrokerHost(IReadOnlyDictionary<string, string> settings, FakeTimeProvider time) : WebApplicationFactory<Program>
{
    public const string Origin = "https://localhost";

    public FakeTimeProvider Time { get; } = time;

    /// <summary>The setup code this start issued, or null when an admin already existed.</summary>
    public string? SetupCode => Services.GetRequiredService<SetupCode>().Value;

    /// <summary>The audit log the broker records to, with a switch to make it fail.</summary>
    public SwitchableAuditLog Audit => Services.GetRequiredService<SwitchableAuditLog>();

    public T GetService<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A client of the public origin: no cookie jar (tests send credentials explicitly), no redirects followed.</summary>
    public BrokerClient CreateBrokerClient() =>
        new(CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(Origin), AllowAutoRedirect = false, HandleCookies = false }));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Settings go in as host settings, which reach the broker before it reads its options.
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton(new SetupCode { Print = false });
            services.AddSingleton(sp => new SwitchableAuditLog(sp.GetRequiredService<AuditLog>()));
            services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<SwitchableAuditLog>());
        });
    }
}
