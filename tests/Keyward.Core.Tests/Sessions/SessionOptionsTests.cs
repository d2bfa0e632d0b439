using Keyward.Core.Sessions;
using Keyward.Core.Tickets;

namespace Keyward.Core.Tests.Sessions;

/// <summary>Session option limits at their edges, and the stable codes and messages of session and ticket failures.</summary>
public sealed class SessionOptionsTests
{
    private static readonly SessionOptions Usable = new()
    {
        AbsoluteLifetime = TimeSpan.FromHours(2),
        IdleTimeout = TimeSpan.FromMinutes(30),
        CacheRevalidateInterval = TimeSpan.FromSeconds(5),
        LastSeenWriteInterval = TimeSpan.FromMinutes(1),
    };

    [Fact]
    public void Validate_Defaults_AreUsable() => Assert.Empty(new SessionOptions().Validate());

    [Fact]
    public void Validate_EveryLimitAtItsEdge_IsAccepted()
    {
        var options = Usable with
        {
            IdleTimeout = Usable.AbsoluteLifetime,
            CacheRevalidateInterval = TimeSpan.FromMinutes(1),
            LastSeenWriteInterval = TimeSpan.Zero,
        };

        Assert.Empty(options.Validate());
        Assert.Empty((Usable with { CacheRevalidateInterval = TimeSpan.Zero }).Validate());
        Assert.Empty((Usable with { LastSeenWriteInterval = Usable.IdleTimeout - TimeSpan.FromTicks(1) }).Validate());
        Assert.Empty((Usable with { AbsoluteLifetime = TimeSpan.FromTicks(1), IdleTimeout = TimeSpan.FromTicks(1), LastSeenWriteInterval = TimeSpan.Zero }).Validate());
    }

    public static TheoryData<string, SessionOptions> OneStepOutside => new()
    {
        { "Keyward:Sessions:AbsoluteLifetime", Usable with { AbsoluteLifetime = TimeSpan.Zero } },
        { "Keyward:Sessions:IdleTimeout", Usable with { IdleTimeout = TimeSpan.Zero } },
        { "Keyward:Sessions:IdleTimeout", Usable with { IdleTimeout = Usable.AbsoluteLifetime + TimeSpan.FromTicks(1) } },
        { "Keyward:Sessions:CacheRevalidateInterval", Usable with { CacheRevalidateInterval = TimeSpan.FromTicks(-1) } },
        { "Keyward:Sessions:CacheRevalidateInterval", Usable with { CacheRevalidateInterval = TimeSpan.FromMinutes(1) + TimeSpan.FromTicks(1) } },
        { "Keyward:Sessions:LastSeenWriteInterval", Usable with { LastSeenWriteInterval = TimeSpan.FromTicks(-1) } },
        { "Keyward:Sessions:LastSeenWriteInterval", Usable with { LastSeenWriteInterval = Usable.IdleTimeout } },
    };

    [Theory]
    [MemberData(nameof(OneStepOutside))]
    public void Validate_OneStepOutsideALimit_NamesTheSetting(string setting, SessionOptions options)
    {
        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith(setting + " must ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(SessionFailure.Invalid, "session_invalid")]
    [InlineData(SessionFailure.Expired, "session_expired")]
    [InlineData(SessionFailure.IdleExpired, "session_idle_expired")]
    [InlineData(SessionFailure.LoggedOut, "session_logged_out")]
    [InlineData(SessionFailure.Revoked, "session_revoked")]
    [InlineData(SessionFailure.AuthenticatorRemoved, "session_authenticator_removed")]
    [InlineData(SessionFailure.AccountDisabled, "session_account_disabled")]
    public void SessionFailures_EachHasItsStableCodeAndAMessageOfItsOwn(SessionFailure failure, string code)
    {
        Assert.Equal(code, SessionFailures.Code(failure));
        Assert.False(string.IsNullOrWhiteSpace(SessionFailures.Message(failure)));
        Assert.Equal(7, Enum.GetValues<SessionFailure>().Select(SessionFailures.Message).Distinct().Count());
    }

    [Theory]
    [InlineData(TicketFailure.Invalid, "ticket_invalid")]
    [InlineData(TicketFailure.Expired, "ticket_expired")]
    [InlineData(TicketFailure.Consumed, "ticket_consumed")]
    public void TicketFailures_EachHasItsStableCodeAndAMessageOfItsOwn(TicketFailure failure, string code)
    {
        Assert.Equal(code, TicketFailures.Code(failure));
        Assert.False(string.IsNullOrWhiteSpace(TicketFailures.Message(failure)));
        Assert.Equal(3, Enum.GetValues<TicketFailure>().Select(TicketFailures.Message).Distinct().Count());
    }
}
