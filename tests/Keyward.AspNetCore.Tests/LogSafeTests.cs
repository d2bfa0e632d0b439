namespace Keyward.AspNetCore.Tests;

/// <summary>A kid from an unverified token is attacker-chosen: log lines carry at most its first 32 characters.</summary>
public sealed class LogSafeTests
{
    [Fact]
    public void Kid_Null_IsNone() => Assert.Equal("(none)", LogSafe.Kid(null));

    [Fact]
    public void Kid_Exactly32Characters_IsKeptWhole()
    {
        var kid = new string('k', 32);

        Assert.Equal(kid, LogSafe.Kid(kid));
    }

    [Fact]
    public void Kid_33Characters_IsCutTo32AndMarked() =>
        Assert.Equal(new string('k', 32) + "…", LogSafe.Kid(new string('k', 33)));
}
