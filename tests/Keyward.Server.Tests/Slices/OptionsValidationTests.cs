using Keyward.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// Every options class validates when the broker starts (ValidateOnStart), all problems at once, each naming the
/// setting and the fix. One row per rule, through the real composition.
/// </summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("Keyward:Metrics:Listen=https://127.0.0.1:9464", "Keyward:Metrics:Listen must be \"off\" or an http URL")]
    [InlineData("Keyward:Metrics:Listen=http://metrics.example:9464", "Keyward:Metrics:Listen must be \"off\" or an http URL")]
    [InlineData("Keyward:Metrics:Listen=http://127.0.0.1:9464/metrics", "Keyward:Metrics:Listen must be \"off\" or an http URL")]
    [InlineData("Keyward:Listen=not a url", "Keyward:Listen must be an absolute https URL")]
    [InlineData("Keyward:Listen=http://127.0.0.1:8080", "Keyward:Listen is plain http")]
    [InlineData("Keyward:Listen=https://keyward.example:8443", "Keyward:Listen must name an IP address or localhost")]
    [InlineData("Keyward:DangerousAllowHttp=true", "Keyward:DangerousAllowHttp is refused outside the Development environment")]
    [InlineData("Keyward:PublicOrigin=https://keyward.example/app", "Keyward:PublicOrigin must be scheme://host[:port]")]
    [InlineData("Keyward:Tls:CertificateFile=/nowhere/cert.pem", "Keyward:Tls:CertificateFile and Keyward:Tls:KeyFile go together")]
    [InlineData("Keyward:Hsts:MaxAge=-00:00:01", "Keyward:Hsts:MaxAge must be between 0")]
    [InlineData("Keyward:Hsts:MaxAge=731.00:00:00", "Keyward:Hsts:MaxAge must be between 0")]
    [InlineData("Keyward:Storage:Provider=Postgres", "Keyward:Storage:ConnectionString is required")]
    [InlineData("Keyward:Storage:BusyTimeout=00:00:00", "Keyward:Storage:BusyTimeout must be between 00:00:01 and 00:05:00")]
    [InlineData("Keyward:Storage:BusyTimeout=00:10:00", "Keyward:Storage:BusyTimeout must be between 00:00:01 and 00:05:00")]
    [InlineData("Keyward:Sessions:AbsoluteLifetime=-00:00:01", "Keyward:Sessions:AbsoluteLifetime must be positive")]
    [InlineData("Keyward:Sessions:IdleTimeout=1.00:00:00", "Keyward:Sessions:IdleTimeout must be positive and no longer than AbsoluteLifetime")]
    [InlineData("Keyward:Sessions:CacheRevalidateInterval=00:05:00", "Keyward:Sessions:CacheRevalidateInterval must be between 0 and 1 minute")]
    [InlineData("Keyward:Sessions:LastSeenWriteInterval=01:00:00", "Keyward:Sessions:LastSeenWriteInterval must be at least 0 and shorter than IdleTimeout")]
    [InlineData("Keyward:Cluster:ListenerReconnectDelay=00:00:00.01", "Keyward:Cluster:ListenerReconnectDelay must be between 00:00:00.1 and 00:01:00")]
    [InlineData("Keyward:Cluster:ListenerHeartbeat=00:10:00", "Keyward:Cluster:ListenerHeartbeat must be between 00:00:01 and 00:01:00")]
    [InlineData("Keyward:SignIn:CeremonyLifetime=00:00:05", "Keyward:SignIn:CeremonyLifetime must be between")]
    [InlineData("Keyward:SignIn:InviteLifetime=00:00:00", "Keyward:SignIn:SetupCodeLifetime and InviteLifetime must be positive")]
    [InlineData("Keyward:SignIn:PerAddressPerMinute=0", "Keyward:SignIn:PerAddressPerMinute must be at least 1")]
    [InlineData("Keyward:SignIn:FailuresBeforeBackoff=0", "Keyward:SignIn:FailuresBeforeBackoff must be at least 1")]
    [InlineData("Keyward:SignIn:MaxBackoff=00:00:00.500", "Keyward:SignIn:MaxBackoff must be between 00:00:01 and 01:00:00")]
    [InlineData("Keyward:MaxRequestBodyBytes=100", "Keyward:MaxRequestBodyBytes must be between 4096 and 1048576")]
    [InlineData("Keyward:Vault:MaxValueBytes=0", "Keyward:Vault:MaxValueBytes must be between 1 and 1048576")]
    [InlineData("Keyward:Vault:RekeyBatchSize=0", "Keyward:Vault:RekeyBatchSize must be between 1 and 10000")]
    [InlineData("Keyward:Vault:MaxVersionsPerPath=0", "Keyward:Vault:MaxVersionsPerPath must be between 1 and 10000")]
    [InlineData("Keyward:Vault:Keys:1:File=relative/kek.key", "Keyward:Vault:Keys:1:File must be an absolute path")]
    [InlineData("Keyward:Vault:Keys:0:Environment=KEK", "Keyward:Vault:Keys:0: epochs are numbered from 1")]
    [InlineData("Keyward:SigningKeys:RefreshInterval=00:00:00.500", "Keyward:SigningKeys:RefreshInterval must be between 00:00:01 and 00:01:00")]
    [InlineData("Keyward:SigningKeys:RefreshInterval=00:05:00", "Keyward:SigningKeys:RefreshInterval must be between 00:00:01 and 00:01:00")]
    [InlineData("Keyward:SigningKeys:CapabilityKeyRotationInterval=00:10:00", "Keyward:SigningKeys:CapabilityKeyRotationInterval must be at least 01:00:00")]
    [InlineData("Keyward:Assertions:Lifetime=00:05:00", "Keyward:Assertions:Lifetime must be between")]
    [InlineData("Keyward:Assertions:KeyRotationInterval=00:10:00", "Keyward:Assertions:KeyRotationInterval must be at least")]
    [InlineData("Keyward:Assertions:KeyOverlap=00:00:10", "Keyward:Assertions:KeyOverlap must be at least the assertion Lifetime")]
    [InlineData("Keyward:Agents:EnrollTokenLifetime=00:00:30", "Keyward:Agents:EnrollTokenLifetime must be between 00:01:00 and MaxEnrollTokenLifetime")]
    [InlineData("Keyward:Agents:EnrollTokenLifetime=8.00:00:00", "Keyward:Agents:EnrollTokenLifetime must be between 00:01:00 and MaxEnrollTokenLifetime")]
    [InlineData("Keyward:Agents:MaxEnrollTokenLifetime=31.00:00:00", "Keyward:Agents:MaxEnrollTokenLifetime must be between")]
    [InlineData("Keyward:Capabilities:Lifetime=00:00:10", "Keyward:Capabilities:Lifetime must be between 00:00:30 and 00:15:00")]
    [InlineData("Keyward:Capabilities:Lifetime=01:00:00", "Keyward:Capabilities:Lifetime must be between 00:00:30 and 00:15:00")]
    [InlineData("Keyward:Capabilities:MintsPerActorPerMinute=0", "Keyward:Capabilities:MintsPerActorPerMinute must be between 1 and 100000")]
    [InlineData("Keyward:Vault:RequestsPerActorPerMinute=0", "Keyward:Vault:RequestsPerActorPerMinute must be between 1 and 1000000")]
    [InlineData("Keyward:Agents:MaxReplacementsPerWindow=1", "Keyward:Agents:MaxReplacementsPerWindow must be between 2 and 100 (default 3)")]
    [InlineData("Keyward:Agents:ReplacementWindow=00:00:01", "Keyward:Agents:ReplacementWindow must be between 00:00:10 and 1.00:00:00 (default 00:05:00)")]
    [InlineData("Keyward:Agents:EnrollPerAddressPerMinute=0", "Keyward:Agents:EnrollPerAddressPerMinute must be between 1 and 10000")]
    [InlineData("Keyward:Agents:HeartbeatSeconds=0", "Keyward:Agents:HeartbeatSeconds must be between 1 and 300")]
    [InlineData("Keyward:Agents:StreamQueueBytes=1000", "Keyward:Agents:StreamQueueBytes must be between 16384 and 67108864")]
    [InlineData("Keyward:Agents:MaxFrameBytes=100", "Keyward:Agents:MaxFrameBytes must be between 1024 and 1048576")]
    [InlineData("Keyward:Agents:StreamQueueBytes=16384", "Keyward:Agents:MaxFrameBytes (65536) must not exceed StreamQueueBytes (16384)")]
    [InlineData("Keyward:Agents:MaxAgents=0", "Keyward:Agents:MaxAgents must be between 1 and 1000000")]
    [InlineData("Keyward:Agents:MaxStreamsPerAgent=0", "Keyward:Agents:MaxStreamsPerAgent must be between 1 and 10000")]
    [InlineData("Keyward:Agents:SweepInterval=00:01:00", "Keyward:Agents:SweepInterval must be between 50 ms and 10 s")]
    [InlineData("Keyward:Routes:bad id:Path=/x", "a route id may use letters")]
    [InlineData("Keyward:Routes:r:Path=x", "Keyward:Routes:r:Path must start with '/'")]
    [InlineData("Keyward:Routes:r:Path=/openapi/{**rest}", "Keyward:Routes:r:Path \"/openapi/{**rest}\" is under /openapi, where Keyward answers itself")]
    [InlineData("Keyward:Routes:r:Path=/API/v1", "is under /api, where Keyward answers itself")]
    [InlineData("Keyward:Routes:r:Path=/session", "is under /session, where Keyward answers itself")]
    [InlineData("Keyward:Routes:r:Path=/vault/{**rest}", "is under /vault, where Keyward answers itself")]
    [InlineData("Keyward:Routes:r:Path=/actor/v1/identity", "is under /actor, where Keyward answers itself")]
    [InlineData("Keyward:Routes:r:Path=/Agent/{**rest}", "is under /agent, where Keyward answers itself")]
    [InlineData("Keyward:Routes:r:Path=/viewer/{**rest}", "is under /viewer, where Keyward answers itself")]
    [InlineData("Keyward:Routes:r:Path=/console/{**rest}", "is under /console, where Keyward answers itself")]
    [InlineData("Keyward:Routes:r:Upstream=ftp://x", "Keyward:Routes:r:Upstream must be an absolute http or https URL")]
    [InlineData("Keyward:Routes:r:Upstream=http://127.0.0.1:1", "Keyward:Routes:r:Path must start with '/'")]
    [InlineData("Keyward:Routes:r:Role=root", "Keyward:Routes:r:Role \"root\" is unknown")]
    [InlineData("Keyward:Routes:r:ClientKeyFile=/k.pem", "Keyward:Routes:r: ClientCertificateFile and ClientKeyFile go together")]
    [InlineData("Keyward:Routes:r:StripRequestHeaders:0=X Tenant", "Keyward:Routes:r:StripRequestHeaders: \"X Tenant\" is neither a header name nor a Prefix-* pattern")]
    [InlineData("Keyward:Routes:r:StripRequestHeaders:0=*", "Keyward:Routes:r:StripRequestHeaders: \"*\" is neither a header name nor a Prefix-* pattern")]
    [InlineData("Keyward:Routes:r:Host=https://app.example.com", "Keyward:Routes:r:Host \"https://app.example.com\" is not a DNS name")]
    [InlineData("Keyward:Routes:r:Host=app.example.com:8443", "Keyward:Routes:r:Host \"app.example.com:8443\" is not a DNS name")]
    [InlineData("Keyward:Routes:r:Host=*.example.com", "Keyward:Routes:r:Host \"*.example.com\" is not a DNS name")]
    [InlineData("Keyward:Routes:r:Host=app.example.com/x", "Keyward:Routes:r:Host \"app.example.com/x\" is not a DNS name")]
    [InlineData("Keyward:Routes:r:Host=10.0.0.5", "Keyward:Routes:r:Host \"10.0.0.5\" is not a DNS name")]
    [InlineData("Keyward:Routes:r:WebSocket:AllowSessionCookie=true", "Keyward:Routes:r:WebSocket:AllowSessionCookie needs a browser route: set Keyward:Routes:r:Host")]
    [InlineData("Keyward:Routes:r:Host=LocalHost", "Keyward:Routes:r:Host must not be Keyward's own host; browser routes need their own host, see docs/security.md")]
    [InlineData("Keyward:WebSockets:SweepInterval=00:00:05", "Keyward:WebSockets:SweepInterval must be between")]
    [InlineData("Keyward:WebSockets:TicketLifetime=01:00:00", "Keyward:WebSockets:TicketLifetime must be between")]
    [InlineData("Keyward:WebSockets:MaxQueuedBytes=1024", "Keyward:WebSockets:MaxQueuedBytes must be between 16384 and 67108864")]
    [InlineData("Keyward:WebSockets:MaxSocketsPerSession=0", "Keyward:WebSockets:MaxSocketsPerSession must be between 1 and 1000")]
    [InlineData("Keyward:WebSockets:MaxSockets=0", "Keyward:WebSockets:MaxSockets must be between 1 and 1000000")]
    [InlineData("Keyward:WebSockets:MaxSockets=8", "Keyward:WebSockets:MaxSockets (8) must be at least MaxSocketsPerSession (16)")]
    [InlineData("Keyward:Routes:r:WebSocket:SendQueueCapacity=64", "Keyward:Routes:r:WebSocket:SendQueueCapacity is retired")]
    [InlineData("Keyward:Routes:r:WebSocket:AllowedOrigins:0=https://app.example.com/app", "Keyward:Routes:r:WebSocket:AllowedOrigins: \"https://app.example.com/app\" is not an origin (a path is not part of an origin)")]
    [InlineData("Keyward:Routes:r:WebSocket:AllowedOrigins:0=https://*.example.com", "Keyward:Routes:r:WebSocket:AllowedOrigins: \"https://*.example.com\" is not an origin (wildcards are not origins")]
    [InlineData("Keyward:Routes:r:WebSocket:AllowedOrigins:0=https://user@app.example.com", "is not an origin (user info is not part of an origin)")]
    [InlineData("Keyward:PublicOrigin=https://keyward.example/?x=1", "Keyward:PublicOrigin must be scheme://host[:port], with no path, query, user info or wildcard (a query is not part of an origin)")]
    [InlineData("Keyward:PublicOrigin=https://admin@keyward.example", "Keyward:PublicOrigin must be scheme://host[:port], with no path, query, user info or wildcard (user info is not part of an origin)")]
    [InlineData("Keyward:PublicOrigin=https://*.keyward.example", "Keyward:PublicOrigin must be scheme://host[:port], with no path, query, user info or wildcard (wildcards are not origins")]
    [InlineData("Keyward:Audit:BatchSize=0", "Keyward:Audit:BatchSize must be between")]
    [InlineData("Keyward:Audit:SpoolMaxBytes=1000", "Keyward:Audit:SpoolMaxBytes must be between 65536 and 1073741824")]
    [InlineData("Keyward:Audit:SpoolDrainInterval=00:00:00.5", "Keyward:Audit:SpoolDrainInterval must be between 00:00:01 and 01:00:00")]
    [InlineData("Keyward:SignIn:SetupCodeFailuresPerMinute=0", "Keyward:SignIn:SetupCodeFailuresPerMinute must be between 1 and 600")]
    [InlineData("Keyward:Audit:UnauthenticatedInterval=00:00:00.5", "Keyward:Audit:UnauthenticatedInterval must be between 00:00:01 and 01:00:00")]
    [InlineData("Keyward:Audit:UnauthenticatedInterval=02:00:00", "Keyward:Audit:UnauthenticatedInterval must be between 00:00:01 and 01:00:00")]
    [InlineData("Keyward:Audit:UnauthenticatedMaxAddresses=0", "Keyward:Audit:UnauthenticatedMaxAddresses must be between 1 and 1000000")]
    [InlineData("Keyward:Audit:RepeatedRefusalsMaxKeys=0", "Keyward:Audit:RepeatedRefusalsMaxKeys must be between 1 and 1000000")]
    [InlineData("Keyward:Audit:RepeatedRefusalsMaxKeys=1000001", "Keyward:Audit:RepeatedRefusalsMaxKeys must be between 1 and 1000000")]
    [InlineData("Keyward:StepUp:Window=00:00:00", "Keyward:StepUp:Window must be positive and at most 00:15:00")]
    [InlineData("Keyward:StepUp:Window=00:15:00.001", "Keyward:StepUp:Window must be positive and at most 00:15:00")]
    [InlineData("Keyward:Support:CodeLifetime=00:00:30", "Keyward:Support:CodeLifetime must be between 00:01:00 and 01:00:00 (default 00:10:00)")]
    [InlineData("Keyward:Support:JoinLifetime=01:00:00", "Keyward:Support:JoinLifetime must be between 00:00:10 and 00:15:00 (default 00:05:00)")]
    [InlineData("Keyward:Support:ConsentTimeout=00:00:01", "Keyward:Support:ConsentTimeout must be between 00:00:05 and 00:10:00 (default 00:01:00)")]
    [InlineData("Keyward:Support:ViewerInputBytesPerSecond=10", "Keyward:Support:ViewerInputBytesPerSecond must be between 1024 and 1073741824 (default 1048576)")]
    [InlineData("Keyward:Support:PendingLifetime=2.00:00:00", "Keyward:Support:PendingLifetime must be between 00:01:00 and 1.00:00:00 (default 00:15:00)")]
    [InlineData("Keyward:Support:IdleLifetime=00:00:01", "Keyward:Support:IdleLifetime must be between 00:00:10 and 1.00:00:00 (default 00:05:00)")]
    [InlineData("Keyward:Support:ReapInterval=00:00:00", "Keyward:Support:ReapInterval must be between 00:00:01 and 00:10:00 (default 00:00:30)")]
    [InlineData("Keyward:Support:MaxViewersPerSession=0", "Keyward:Support:MaxViewersPerSession must be between 1 and 100 (default 4)")]
    [InlineData("Keyward:Support:MaxSessionsPerMachine=101", "Keyward:Support:MaxSessionsPerMachine must be between 1 and 100 (default 4)")]
    [InlineData("Keyward:Support:MaxSessionsPerAccount=0", "Keyward:Support:MaxSessionsPerAccount must be between 1 and 1000 (default 20)")]
    [InlineData("Keyward:Approvals:PendingLifetime=00:00:30", "Keyward:Approvals:PendingLifetime must be between 00:01:00 and 30.00:00:00 (default 1.00:00:00)")]
    [InlineData("Keyward:Approvals:SweepInterval=02:00:00", "Keyward:Approvals:SweepInterval must be between 00:00:01 and 01:00:00 (default 00:01:00)")]
    [InlineData("Keyward:Support:MaxSocketsPerAccount=0", "Keyward:Support:MaxSocketsPerAccount must be between 1 and 1000 (default 16)")]
    [InlineData("Keyward:Support:MaxUnusedJoinTokens=0", "Keyward:Support:MaxUnusedJoinTokens must be between 1 and 100 (default 10)")]
    [InlineData("Keyward:Support:MaxViewerMessageBytes=100", "Keyward:Support:MaxViewerMessageBytes must be between 1024 and 1048576 (default 65536)")]
    [InlineData("Keyward:Support:CodeChecksPerAddressPerMinute=0", "Keyward:Support:CodeChecksPerAddressPerMinute must be between 1 and 600 (default 10)")]
    [InlineData("Keyward:Support:CodeFailuresPerMinute=6001", "Keyward:Support:CodeFailuresPerMinute must be between 1 and 6000 (default 60)")]
    [InlineData("Keyward:Support:JoinFailuresPerAddressPerMinute=0", "Keyward:Support:JoinFailuresPerAddressPerMinute must be between 1 and 600 (default 30)")]
    public async Task Start_InvalidSetting_FailsNamingTheSettingAndTheFix(string setting, string expected)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => BuildAndStartAsync($"--{setting}"));
        Assert.Contains(failure.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_DefaultSettings_PassValidation()
    {
        await using var keyward = HostedKeyward.Build([]);
        await keyward.App.StartAsync();
        await keyward.App.StopAsync();
    }

    [Fact]
    public async Task Start_SeveralInvalidSettings_ReportsEveryOne()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => BuildAndStartAsync("--Keyward:SignIn:InviteLifetime=00:00:00", "--Keyward:SignIn:FailuresBeforeBackoff=0"));
        var all = string.Join("\n", failure.Failures);
        Assert.Contains("FailuresBeforeBackoff", all, StringComparison.Ordinal);
        Assert.Contains("InviteLifetime", all, StringComparison.Ordinal);
    }

    // A setting read while the pipeline is composed fails at build, the rest when the host starts (ValidateOnStart):
    // either way before Keyward serves anything.
    private static async Task BuildAndStartAsync(params string[] settings)
    {
        await using var keyward = HostedKeyward.Build(settings);
        await keyward.App.StartAsync();
    }

    [Fact]
    public async Task Start_SettingNotReadWhileComposing_FailsAtStartNotAtBuild()
    {
        // Proves the ValidateOnStart wiring: nothing reads Keyward:Tls until Kestrel starts listening.
        await using var keyward = HostedKeyward.Build(["--Keyward:Tls:KeyFile=/nowhere/key.pem"]);
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => keyward.App.StartAsync());
        Assert.Contains(failure.Failures, f => f.Contains("Keyward:Tls:CertificateFile and Keyward:Tls:KeyFile go together", StringComparison.Ordinal));
    }
}
