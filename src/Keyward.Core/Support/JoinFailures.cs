namespace Keyward.Core.Support;

/// <summary>Codes and messages for <see cref="JoinFailure"/>.</summary>
public static class JoinFailures
{
    /// <summary>The stable code.</summary>
    public static string Code(JoinFailure failure) => failure switch
    {
        JoinFailure.Expired => "join_token_expired",
        JoinFailure.Consumed => "join_token_consumed",
        JoinFailure.Revoked => "join_token_revoked",
        _ => "join_token_invalid",
    };

    /// <summary>The plain message.</summary>
    public static string Message(JoinFailure failure) => failure switch
    {
        JoinFailure.Expired => "The join token expired. Ask for a new one (POST /api/support/sessions/{id}/join) right before opening the viewer.",
        JoinFailure.Consumed => "The join token was already used; a join token opens one viewer socket. Ask for a new one.",
        JoinFailure.Revoked => "The join token was revoked: the sign-in that minted it ended, or its support session did. Sign in again and ask for a new one.",
        _ => "The viewer plane takes only a join token (Authorization: Bearer kwj_… or ?join=kwj_…); this one is malformed or unknown.",
    };
}
