using System.Text.RegularExpressions;
using Keyward.Core.Audit;
using Keyward.Core.Capabilities;
using Keyward.Core.Vault;
using Keyward.Server.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Vault;

/// <summary>
/// The vault plane's door, layer (b) of issue 12 item 7: a capability token as Bearer and nothing else, verified by
/// the registered <see cref="ICapabilityVerifier"/> (none registered: every request is <c>cap_invalid</c>), then
/// compared with the endpoint that serves one data class: its class, its operation, the actor in the route and the
/// path (for a list, the prefix must start with the capability's). Each refusal is audited with its code, or, for a
/// request without a token Keyward could verify, counted per address.
/// </summary>
internal sealed partial class VaultGate(VaultPlane vault, IAuditLog audit, RefusalCounter refusals, VaultActorLimiter limiter)
{
    /// <summary>The secrets (only after a successful admission: the vault is on).</summary>
    public VaultService Secrets => vault.Secrets ?? throw new InvalidOperationException("The vault is off.");

    /// <summary>The vault's options.</summary>
    public VaultOptions Options => vault.Options;

    /// <summary>Checks a read, write or delete of <paramref name="path"/>; the refusal is the answer (the endpoint records it).</summary>
    public Task<Outcome<VaultCall>> AdmitAsync(HttpContext context, VaultDataClass dataClass, string operation, Guid actorId, string path, CancellationToken cancellationToken) =>
        AdmitCoreAsync(context, dataClass, operation, actorId, path, cancellationToken);

    /// <summary>Checks a list under <paramref name="prefix"/> (null: the capability's own prefix); the call's path is the prefix.</summary>
    public Task<Outcome<VaultCall>> AdmitListAsync(HttpContext context, VaultDataClass dataClass, Guid actorId, string? prefix, CancellationToken cancellationToken) =>
        AdmitCoreAsync(context, dataClass, CapabilityOperations.List, actorId, prefix, cancellationToken);

    private async Task<Outcome<VaultCall>> AdmitCoreAsync(HttpContext context, VaultDataClass dataClass, string operation, Guid actorId, string? requested, CancellationToken cancellationToken)
    {
        if (!vault.Enabled)
        {
            return new Refusal(KeywardErrors.VaultNotConfigured, AuditAction: null);
        }

        var target = Target(dataClass, actorId, requested ?? string.Empty);
        var verifier = context.RequestServices.GetService<ICapabilityVerifier>();
        if (Bearer(context.Request) is not { } token || KeywardCredential().IsMatch(token) || verifier is null)
        {
            // A session, an agent or service key, a cookie, nothing: never handed to the verifier.
            refusals.Count(context, VaultAuditActions.Refused, target, KeywardErrors.CapInvalid);
            return new Refusal(KeywardErrors.CapInvalid, AuditAction: null);
        }

        var check = await verifier.VerifyAsync(token, cancellationToken).ConfigureAwait(false);
        if (check.Capability is not { } capability)
        {
            var error = KeywardErrors.FromCapabilityCode(check.ErrorCode);
            if (error == KeywardErrors.CapInvalid)
            {
                refusals.Count(context, VaultAuditActions.Refused, target, error);
                return new Refusal(error, AuditAction: null);
            }

            return new Refusal(error, VaultAuditActions.Refused, target) { Details = Detail(dataClass, operation) };
        }

        var path = requested ?? capability.Path;
        var mismatch =
            !string.Equals(capability.DataClass, dataClass.Name, StringComparison.Ordinal) ? KeywardErrors.CapDataClassMismatch
            : !string.Equals(capability.Operation, operation, StringComparison.Ordinal) ? KeywardErrors.CapOperationMismatch
            : capability.ActorId != actorId ? KeywardErrors.CapActorMismatch
            : !PathAllowed(capability.Path, path, operation) ? KeywardErrors.CapPathMismatch
            : null;
        if (mismatch is not null)
        {
            var details = Detail(dataClass, operation);
            details["capability"] = capability.TokenId.ToString();
            return new Refusal(mismatch, VaultAuditActions.Refused, target, AuditActor(capability)) { Details = details };
        }

        if (!limiter.TryAcquire(capability.ActorId, out var wait))
        {
            // Audited once per actor, address group and interval, then counted (AuditTrail.RefuseAsync).
            return new Refusal(KeywardErrors.RateLimited.Saying("Too many vault requests by this actor. Wait and try again."), AuditActions.RateLimited, "vault.actor", AuditActor(capability)) { RetryAfter = wait };
        }

        return new VaultCall(capability, new VaultAddress(capability.TenantId, dataClass, capability.OperatorId, actorId, path));
    }

    /// <summary>Records a refusal decided after admission (a sensitive read without approval, a vault failure) and answers it.</summary>
    public Task<IResult> RefuseAsync(HttpContext context, VaultCall call, KeywardError error, string operation)
    {
        var details = Detail(call.Address.DataClass, operation);
        details["capability"] = call.Capability.TokenId.ToString();
        return audit.RefuseAsync(context, new Refusal(error, VaultAuditActions.Refused, Target(call), call.AuditActor) { Details = details });
    }

    /// <summary>Records an allowed operation before it is carried out (or, for a read, before the value leaves).</summary>
    public Task RecordAsync(HttpContext context, VaultCall call, string action, IReadOnlyDictionary<string, string>? extra = null)
    {
        var details = new Dictionary<string, string>
        {
            ["data_class"] = call.Address.DataClass.Name,
            ["operator"] = call.Capability.OperatorId.ToString(),
            ["capability"] = call.Capability.TokenId.ToString(),
            ["scope"] = call.Capability.ScopeId.ToString(),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            details[key] = value;
        }

        return audit.RecordAsync(context, action, AuditOutcomes.Success, Target(call), call.AuditActor, details);
    }

    /// <summary>An actor as the audit log names it.</summary>
    public static string AuditActor(Capability capability) =>
        (capability.ActorKind == CapabilityActorKind.Agent ? "machine:" : "service:") + capability.ActorId.ToString();

    /// <summary>
    /// True when <paramref name="path"/> is the capability's: the same path for read, write and delete; for a list, a
    /// prefix the capability's prefix covers, segment by segment (<see cref="ScopeRules.Covers"/>, the rule of scopes
    /// and of the listing itself): under a capability for <c>db/prod</c>, <c>db/prod</c>, <c>db/prod/</c> and
    /// <c>db/prod/x</c>, never <c>db/production</c>. A trailing <c>/</c> on either side is dropped before comparing.
    /// </summary>
    public static bool PathAllowed(string capabilityPath, string path, string operation) =>
        operation == CapabilityOperations.List
            ? path.Length > 0 && ScopeRules.Covers(WithoutSlash(capabilityPath), WithoutSlash(path))
            : string.Equals(capabilityPath, path, StringComparison.Ordinal);

    private static string WithoutSlash(string prefix) => prefix.Length > 1 && prefix.EndsWith('/') ? prefix[..^1] : prefix;

    private static string Target(VaultCall call) => Target(call.Address.DataClass, call.Address.ActorId, call.Address.Path);

    // The audit target names class, actor and path; never a value.
    private static string Target(VaultDataClass dataClass, Guid actorId, string path) => $"{dataClass.Name}/{actorId}/{path}";

    private static Dictionary<string, string> Detail(VaultDataClass dataClass, string operation) =>
        new() { ["data_class"] = dataClass.Name, ["operation"] = operation };

    private static string? Bearer(HttpRequest request) =>
        request.Headers.Authorization is [{ } value] && value.StartsWith("Bearer ", StringComparison.Ordinal) && value.Length > "Bearer ".Length
            ? value["Bearer ".Length..].Trim()
            : null;

    // kws_, kwa_, kwv_, kwe_, …: Keyward's own credentials are never capabilities.
    [GeneratedRegex("^kw[a-z]_", RegexOptions.CultureInvariant)]
    private static partial Regex KeywardCredential();
}
