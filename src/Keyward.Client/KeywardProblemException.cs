using System.Net;

namespace Keyward.Client;

/// <summary>
/// Keyward refused a request: the status and the problem+json <see cref="Code"/> (stable, for programs) and
/// <see cref="Detail"/> (Keyward's plain message, for people). The exception's own <see cref="Exception.Message"/> is
/// this client's and names only the request, the status and the code, never text from the server.
/// </summary>
public sealed class KeywardProblemException : Exception
{
    /// <summary>Creates the exception for a refused response.</summary>
    public KeywardProblemException(KeywardResponse response)
        : base(Describe(response))
    {
        ArgumentNullException.ThrowIfNull(response);
        Status = (HttpStatusCode)response.StatusCode;
        Code = response.Code;
        Detail = response.Detail;
        AnsweredOtherThanJson = response.Body.Length > 0 && !response.IsJson;
        Path = response.Path;
        StepUp = response.StepUp;
    }

    /// <summary>Creates the exception with a message of its own (no response).</summary>
    public KeywardProblemException()
    {
    }

    /// <summary>Creates the exception with a message of its own (no response).</summary>
    public KeywardProblemException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message of its own and a cause (no response).</summary>
    public KeywardProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status Keyward answered with.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The problem's stable code (<c>session_expired</c>, <c>ticket_consumed</c>, …), or null when there was none.</summary>
    public string? Code { get; }

    /// <summary>Keyward's plain message for people, as Keyward wrote it; show it as Keyward's, or null when there was none.</summary>
    public string? Detail { get; }

    /// <summary>True when the answer had a body that is not JSON at all (a proxy's error page, say).</summary>
    public bool AnsweredOtherThanJson { get; }

    /// <summary>For <c>step_up_required</c>: the step-up purpose and target to perform before retrying.</summary>
    public (string Purpose, string? Target)? StepUp { get; }

    /// <summary>The refused request's path.</summary>
    public string? Path { get; }

    private static string Describe(KeywardResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return $"Keyward refused {response.Method} {response.Path}: {response.StatusCode} {response.Code ?? "(no problem code)"}.";
    }
}
