namespace Keyward.Agent.Enrollment;

/// <summary>What to do about each refusal of <c>POST /agent/v1/enroll</c>, when Keyward's answer carried no detail of its own.</summary>
internal static class EnrollmentRefusals
{
    public static string Explain(string? code) => code switch
    {
        "enroll_token_expired" => "The enroll token expired (they live 1 hour by default): ask an admin for a new one.",
        "enroll_token_used" or "enroll_token_consumed" => "The enroll token was already used (each enrolls one machine): ask an admin for a new one.",
        "enroll_token_revoked" => "The enroll token was revoked: ask an admin for a new one.",
        "enroll_token_invalid" or "enroll_token_unknown" or "token_invalid" => "Keyward does not know this enroll token: check that you copied all of it, or ask an admin for a new one.",
        "rate_limited" => "Too many attempts: wait a minute and try again.",
        _ => "Keyward refused the enrollment: ask an admin for a new enroll token.",
    };
}
