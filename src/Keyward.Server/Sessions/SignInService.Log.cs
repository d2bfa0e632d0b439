using Keyward.Server.Http;

namespace Keyward.Server.Sessions;

internal sealed partial class SignInService
{
    // Diagnostic logs of sign-in (the 2000 band, KeywardEventIds). Never a token; the account name at most.
    private static partial class Log
    {
        [LoggerMessage(KeywardEventIds.SignInFailed, LogLevel.Information, "Sign-in refused: {Code}.")]
        public static partial void SignInFailed(ILogger logger, string code);

        [LoggerMessage(KeywardEventIds.SessionOpened, LogLevel.Debug, "Session {SessionId} opened for {Account} (user verified: {UserVerified}).")]
        public static partial void SessionOpened(ILogger logger, Guid sessionId, string account, bool userVerified);
    }
}
