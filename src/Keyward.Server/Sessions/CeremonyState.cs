namespace Keyward.Server.Sessions;

/// <summary>What a stored ceremony remembers between begin and finish. Holds no secret: codes are re-sent at finish.</summary>
internal sealed record CeremonyState
{
    public string Mode { get; init; } = CeremonyModes.Login;

    public Guid? AccountId { get; init; }

    public string? AccountName { get; init; }

    public string? Role { get; init; }

    public string? UserHandle { get; init; }

    public Guid? InviteId { get; init; }

    public string? KeyName { get; init; }

    public bool RequireUserVerification { get; init; }

    /// <summary>A sign-in that named an account at begin (known or not): only that account's keys may finish it.</summary>
    public bool Named { get; init; }

    public List<string> AllowCredentials { get; init; } = [];

    /// <summary>A step-up's session: only that session may finish it.</summary>
    public Guid? SessionId { get; init; }

    /// <summary>A step-up's purpose.</summary>
    public string? Purpose { get; init; }

    /// <summary>A step-up's target within its purpose, if any.</summary>
    public string? Target { get; init; }
}
