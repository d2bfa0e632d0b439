namespace Keyward.Core.Quorum;

/// <summary>A refusal: a stable code and a plain message; <paramref name="Detail"/> adds context safe to show an operator.</summary>
/// <param name="Error">The error.</param>
/// <param name="Detail">Optional context; never a secret.</param>
public sealed record QuorumFailure(QuorumError Error, string? Detail = null)
{
    /// <summary>The stable snake_case code.</summary>
    public string Code => QuorumErrors.Code(Error);

    /// <summary>The plain message, followed by the detail when there is one.</summary>
    public string Message => Detail is null ? QuorumErrors.Message(Error) : $"{QuorumErrors.Message(Error)} ({Detail})";

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}
