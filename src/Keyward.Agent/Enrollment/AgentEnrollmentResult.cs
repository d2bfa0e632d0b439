namespace Keyward.Agent.Enrollment;

/// <summary>What an enrollment came to: the saved state, or Keyward's refusal (status and stable code) or why it was not reached.</summary>
public sealed record AgentEnrollmentResult
{
    /// <summary>The state written, when enrollment succeeded.</summary>
    public AgentState? State { get; init; }

    /// <summary>The HTTP status of a refusal; 0 when Keyward was not reached.</summary>
    public int Status { get; init; }

    /// <summary>The stable code: Keyward's (e.g. <c>enroll_token_expired</c>), or the agent's own (<c>tls_untrusted</c>, <c>unreachable</c>, <c>bad_answer</c>, <c>already_enrolled</c>).</summary>
    public string? Code { get; init; }

    /// <summary>A plain sentence saying what went wrong and what to do.</summary>
    public string? Detail { get; init; }

    /// <summary>True when the machine is enrolled and its state saved.</summary>
    public bool Succeeded => State is not null;

    internal static AgentEnrollmentResult Fail(int status, string code, string detail) => new() { Status = status, Code = code, Detail = detail };
}
