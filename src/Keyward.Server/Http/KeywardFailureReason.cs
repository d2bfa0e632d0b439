using Microsoft.AspNetCore.Authorization;

namespace Keyward.Server.Http;

/// <summary>Why a requirement failed, as a catalogued error, so the 403 says exactly which rule refused.</summary>
internal sealed class KeywardFailureReason(IAuthorizationHandler handler, KeywardError error) : AuthorizationFailureReason(handler, error.Code)
{
    /// <summary>The error to answer with.</summary>
    public KeywardError Error { get; } = error;

    /// <summary>The first catalogued error among a failure's reasons, if any.</summary>
    public static KeywardError? Of(AuthorizationFailure? failure) =>
        failure?.FailureReasons.OfType<KeywardFailureReason>().FirstOrDefault()?.Error;
}
