namespace Keyward.Server.Http;

/// <summary>
/// One refusal as Keyward answers it: the stable <c>code</c> clients depend on, the HTTP status, and a plain message
/// that never carries a secret or exception text. Every value comes from <see cref="KeywardErrors"/>.
/// </summary>
/// <param name="Code">The stable snake_case code (problem+json <c>code</c>, and the last segment of <c>type</c>).</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Message">The plain message (problem+json <c>detail</c>).</param>
internal sealed record KeywardError(string Code, int Status, string Message)
{
    /// <summary>The same error with a message that says more about this occurrence (never a secret).</summary>
    public KeywardError Saying(string message) => this with { Message = message };

    /// <summary>For <c>step_up_required</c>: the step-up that would allow the action (problem+json <c>step_up</c>).</summary>
    public StepUpHint? StepUp { get; init; }
}
