namespace Keyward.Core.Agents;

/// <summary>Codes and messages for <see cref="EnrollFailure"/>.</summary>
public static class EnrollFailures
{
    /// <summary>The stable code.</summary>
    public static string Code(EnrollFailure failure) => failure switch
    {
        EnrollFailure.Expired => "enroll_token_expired",
        EnrollFailure.Consumed => "enroll_token_consumed",
        EnrollFailure.Revoked => "enroll_token_revoked",
        _ => "enroll_token_invalid",
    };

    /// <summary>The plain message.</summary>
    public static string Message(EnrollFailure failure) => failure switch
    {
        EnrollFailure.Expired => "The enroll token expired. Ask an admin for a new one (POST /api/admin/enroll-tokens).",
        EnrollFailure.Consumed => "The enroll token was already used; a token enrolls one machine. Ask an admin for a new one.",
        EnrollFailure.Revoked => "The enroll token was revoked. Ask an admin for a new one.",
        _ => "Enroll with an enroll token: Authorization: Bearer kwe_… (malformed, another kind of credential, or unknown).",
    };
}
