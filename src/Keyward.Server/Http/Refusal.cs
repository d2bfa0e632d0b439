namespace Keyward.Server.Http;

/// <summary>
/// A decision not to do something, as a value: the error to answer with, and what the audit record says about it.
/// Services return it; the endpoint records it and answers (<c>AuditTrail.RefuseAsync</c>).
/// </summary>
/// <param name="Error">The catalogued error.</param>
/// <param name="AuditAction">The audit action the refusal is recorded under; null for a plain input error that is not a security decision.</param>
/// <param name="Target">The audit target, if any.</param>
/// <param name="Actor">The audit actor, when it is not the request's own (a claimed username, say).</param>
internal sealed record Refusal(KeywardError Error, string? AuditAction, string? Target = null, string? Actor = null)
{
    /// <summary>How long the client should wait before trying again (a 429), if it should.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Extra audit details (the error code is always recorded).</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}
