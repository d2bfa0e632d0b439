using Keyward.Client;

namespace Keyward.Cli.Broker;

/// <summary>How the CLI words a refusal: the status, the stable code, and Keyward's own plain message.</summary>
internal static class Refusal
{
    /// <summary><c>401 session_expired: The session expired. Sign in again.</c></summary>
    public static string Describe(KeywardProblemException e) => e.Status == 0 ? e.Message :
        $"{(int)e.Status} {e.Code ?? "error"}: {e.Detail ?? (e.AnsweredOtherThanJson ? "the server answered with something other than JSON" : "no detail")}";

    /// <summary>A failure's message; a refusal in the words of <see cref="Describe(KeywardProblemException)"/>.</summary>
    public static string Describe(Exception e) => e is KeywardProblemException refused ? Describe(refused) : e.Message;
}
