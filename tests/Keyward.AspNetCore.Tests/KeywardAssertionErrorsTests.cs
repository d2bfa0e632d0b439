namespace Keyward.AspNetCore.Tests;

/// <summary>The challenge reads a failure's code back with TryParse: every code round-trips, anything else is unknown.</summary>
public sealed class KeywardAssertionErrorsTests
{
    [Fact]
    public void TryParse_EveryCode_RoundTrips()
    {
        foreach (var error in KeywardAssertionErrors.All)
        {
            Assert.True(KeywardAssertionErrors.TryParse(KeywardAssertionErrors.Code(error), out var parsed));
            Assert.Equal(error, parsed);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ASSERTION_INVALID")]
    [InlineData("no_such_code")]
    public void TryParse_UnknownCode_ReturnsFalse(string? code) => Assert.False(KeywardAssertionErrors.TryParse(code, out _));
}
