using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.Testing;

namespace Keyward.Server.Tests;

/// <summary>
/// Keyward with the operator's own certificate (<c>Keyward:Tls:CertificateFile</c>, <c>KeyFile</c>): the intermediate
/// certificates in the certificate file are sent in the handshake, so a client that trusts only the root CA (and can
/// fetch nothing) connects. A root, an intermediate and a server certificate are made for each test.
/// </summary>
public sealed class OperatorCertificateTests : IDisposable
{
    private readonly TempDirectory _tls = new("keyward-operator-tls-");

    [Fact]
    public async Task Handshake_FullChainFile_SendsTheIntermediateSoARootOnlyClientConnects()
    {
        using var pki = TestPki.Create();
        var (certificateFile, keyFile) = Write(pki, withIntermediate: true);
        await using var host = await StartAsync(certificateFile, keyFile);

        var (errors, received) = await HandshakeAsync(host.Port, pki.Root);

        Assert.Equal(SslPolicyErrors.None, errors);
        Assert.Equal(pki.Server.Thumbprint, received);
    }

    [Fact]
    public async Task Handshake_ServerCertificateAloneInTheFile_ARootOnlyClientCannotBuildTheChain()
    {
        // What the first test guards against: without the intermediate in the handshake, the chain cannot be built.
        using var pki = TestPki.Create();
        var (certificateFile, keyFile) = Write(pki, withIntermediate: false);
        await using var host = await StartAsync(certificateFile, keyFile);

        var (errors, _) = await HandshakeAsync(host.Port, pki.Root);

        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, errors);
    }

    public void Dispose() => _tls.Dispose();

    private static Task<KeywardTestHost> StartAsync(string certificateFile, string keyFile) =>
        KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            Settings = new Dictionary<string, string>
            {
                ["Keyward:Tls:CertificateFile"] = certificateFile,
                ["Keyward:Tls:KeyFile"] = keyFile,
            },
        });

    // One TLS handshake with localhost that trusts only the root; the policy errors seen and the certificate received.
    private static async Task<(SslPolicyErrors Errors, string? Received)> HandshakeAsync(int port, X509Certificate2 root)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream());
        var errors = SslPolicyErrors.None;
        string? received = null;
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true };
        policy.CustomTrustStore.Add(root);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                CertificateChainPolicy = policy,
                RemoteCertificateValidationCallback = (_, certificate, _, seen) =>
                {
                    errors = seen;
                    received = (certificate as X509Certificate2)?.Thumbprint;
                    return seen == SslPolicyErrors.None;
                },
            });
        }
        catch (System.Security.Authentication.AuthenticationException)
        {
            // Refused by the callback above; errors says why.
        }

        return (errors, received);
    }

    private (string CertificateFile, string KeyFile) Write(TestPki pki, bool withIntermediate)
    {
        // The key file ends in .key: the test run's leak scan skips private keys by that name only.
        var certificateFile = _tls.Combine("fullchain.pem");
        var keyFile = _tls.Combine("server.key");
        File.WriteAllText(certificateFile, pki.Server.ExportCertificatePem() + "\n" + (withIntermediate ? pki.Intermediate.ExportCertificatePem() + "\n" : string.Empty));
        File.WriteAllText(keyFile, pki.ServerKey.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }

    private sealed record TestPki(X509Certificate2 Root, X509Certificate2 Intermediate, X509Certificate2 Server, ECDsa ServerKey) : IDisposable
    {
        public static TestPki Create()
        {
            var now = DateTimeOffset.UtcNow;
            using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var rootRequest = CaRequest("CN=Keyward Test Root", rootKey);
            using var rootWithKey = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

            using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var intermediateRequest = CaRequest("CN=Keyward Test Intermediate", intermediateKey);
            intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(rootWithKey, true, false));
            using var intermediate = intermediateRequest.Create(rootWithKey, now.AddDays(-1), now.AddDays(29), [1]);
            using var intermediateWithKey = intermediate.CopyWithPrivateKey(intermediateKey);

            var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            serverRequest.CertificateExtensions.Add(names.Build());
            serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(intermediateWithKey, true, false));
            var server = serverRequest.Create(intermediateWithKey, now.AddDays(-1), now.AddDays(28), [2]);

            return new TestPki(
                X509CertificateLoader.LoadCertificate(rootWithKey.RawData),
                X509CertificateLoader.LoadCertificate(intermediate.RawData),
                server,
                serverKey);
        }

        public void Dispose()
        {
            Root.Dispose();
            Intermediate.Dispose();
            Server.Dispose();
            ServerKey.Dispose();
        }

        private static CertificateRequest CaRequest(string subject, ECDsa key)
        {
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            return request;
        }
    }
}
