using System.Collections.Concurrent;
using Keyward.Core.Capabilities;

namespace Keyward.Server.Tests.Vault;

/// <summary>
/// A stand-in <see cref="ICapabilityVerifier"/> for layer (b) of issue 12 item 7 (the vault endpoint's own checks):
/// it accepts exactly the tokens a test issued, with the capability the test chose, and refuses the tokens a test
/// marked with that code. Layer (a) and real ES256 tokens are the capabilities slice's; this verifier never sees one.
/// </summary>
internal sealed class TestCapabilities : ICapabilityVerifier
{
    private readonly ConcurrentDictionary<string, CapabilityCheck> _tokens = new(StringComparer.Ordinal);

    public TestCapabilities(string tenantId) => TenantId = tenantId;

    public string TenantId { get; }

    public Guid Operator { get; } = Guid.NewGuid();

    /// <summary>Every token the vault plane handed to this verifier.</summary>
    public ConcurrentQueue<string> Seen { get; } = new();

    /// <summary>A token that verifies as a capability for this operation, class, actor and path.</summary>
    public string Issue(string operation, string dataClass, Guid actor, string path, CapabilityActorKind kind = CapabilityActorKind.Service) =>
        IssueFor(Operator, operation, dataClass, actor, path, kind);

    /// <summary>As <see cref="Issue"/>, on another operator's authority.</summary>
    public string IssueFor(Guid operatorId, string operation, string dataClass, Guid actor, string path, CapabilityActorKind kind = CapabilityActorKind.Service)
    {
        var capability = new Capability(Guid.NewGuid(), TenantId, operatorId, actor, kind, operation, dataClass, path, Guid.NewGuid(), 1, DateTimeOffset.UtcNow.AddMinutes(5));
        return Add(CapabilityCheck.Accepted(capability));
    }

    /// <summary>A token the verifier refuses with <paramref name="code"/>.</summary>
    public string Refusing(string code) => Add(CapabilityCheck.Refused(code));

    public ValueTask<CapabilityCheck> VerifyAsync(string token, CancellationToken cancellationToken = default)
    {
        Seen.Enqueue(token);
        return ValueTask.FromResult(_tokens.TryGetValue(token, out var check) ? check : CapabilityCheck.Refused("cap_invalid"));
    }

    private string Add(CapabilityCheck check)
    {
        // The shape of a JWT, so nothing in the plane mistakes it for one of Keyward's own kw?_ credentials.
        var token = $"eyJ0ZXN0IjoxfQ.{Guid.NewGuid():N}.sig";
        _tokens[token] = check;
        return token;
    }
}
