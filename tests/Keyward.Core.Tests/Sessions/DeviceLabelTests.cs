using Keyward.Core.Sessions;

namespace Keyward.Core.Tests.Sessions;

public sealed class DeviceLabelTests
{
    [Theory]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Linux")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on macOS")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iOS")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android")]
    [InlineData("curl/8.11.0", "curl")]
    [InlineData("Something (X11; Linux x86_64)", "Linux")]
    public void Describe_KnownUserAgents_NameBrowserAndSystem(string userAgent, string expected) =>
        Assert.Equal(expected, DeviceLabel.Describe(userAgent));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a-bot/1.0")]
    public void Describe_NothingRecognisable_IsNull(string? userAgent) => Assert.Null(DeviceLabel.Describe(userAgent));

    [Fact]
    public void Describe_ReadsOnlyTheStartOfAnOverlongHeader()
    {
        // A browser named only past the first 512 characters is not looked for: the input is bounded.
        Assert.Null(DeviceLabel.Describe(new string('x', 600) + " Firefox/133.0 (Linux)"));
        Assert.Equal("Firefox on Linux", DeviceLabel.Describe("Firefox/133.0 (Linux)" + new string('x', 100_000)));
    }
}
