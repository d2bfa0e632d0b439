namespace Keyward.LoadBench.Trivial;

/// <summary>Where nginx runs and what it serves: the two front ends' ports, the shared certificate, the upstream.</summary>
internal sealed record NginxSettings(
    string Executable,
    string Directory,
    int ProxyPort,
    int AuthPort,
    int UpstreamPort,
    string CertificateFile,
    string KeyFile,
    string CaFile);
