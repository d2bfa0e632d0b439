namespace Keyward.Agent.Runtime;

/// <summary>What Keyward asks the person at the machine (<c>consent</c>): who, why, and how long they have to answer.</summary>
public sealed record ConsentRequest
{
    /// <summary>Keyward's id of this request, echoed in the answer.</summary>
    public required string Request { get; init; }

    /// <summary>The support session it is for.</summary>
    public required string Session { get; init; }

    /// <summary>Who asks (the technician's account name).</summary>
    public required string Technician { get; init; }

    /// <summary>Why, in the technician's words.</summary>
    public required string Reason { get; init; }

    /// <summary>How long the person has; past it the agent answers no.</summary>
    public required TimeSpan Timeout { get; init; }
}
