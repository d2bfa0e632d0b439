namespace Keyward.Agent.Runtime;

/// <summary>
/// An ad-hoc agent's connection (docs/remote-support.md, "Ad-hoc agents"): no enrollment and no key file; the agent
/// presents a support code once on <c>/agent/v1/connect</c>, trusting only the CA in <see cref="CaPath"/>. The code is
/// never part of <see cref="ToString"/>.
/// </summary>
public sealed class AdHocConnection
{
    /// <summary>An ad-hoc connection to <paramref name="server"/>, trusting <paramref name="caPath"/> only, with <paramref name="supportCode"/>.</summary>
    public AdHocConnection(Uri server, string caPath, string supportCode)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrWhiteSpace(caPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(supportCode);
        Server = server;
        CaPath = caPath;
        SupportCode = supportCode.Trim().ToUpperInvariant();
    }

    /// <summary>Keyward's address.</summary>
    public Uri Server { get; }

    /// <summary>The CA (PEM) this agent trusts for Keyward, and nothing else.</summary>
    public string CaPath { get; }

    /// <summary>The support code the technician was given (single use).</summary>
    internal string SupportCode { get; }

    /// <inheritdoc/>
    public override string ToString() => $"ad-hoc agent for {Server.Authority}";
}
