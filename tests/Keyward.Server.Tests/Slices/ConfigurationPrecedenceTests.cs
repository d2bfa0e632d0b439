using Keyward.Server.Sessions;
using Keyward.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Tests.Slices;

/// <summary>docs/configuration.md: appsettings, then the --config file, then environment variables, then arguments.</summary>
public sealed class ConfigurationPrecedenceTests
{
    // Process-wide, so it is set to the documented default: harmless to every other host the test run builds.
    private const string EnvironmentSetting = "Keyward__SignIn__InviteLifetime";
    private const string DefaultInviteLifetime = "1.00:00:00";

    [Fact]
    public async Task Build_ConfigFileAndEnvironment_EnvironmentWinsAndArgumentsWinOverBoth()
    {
        using var folder = new TempDirectory("keyward-config-");
        var file = Path.Combine(folder.Path, "keyward.json");
        await File.WriteAllTextAsync(file, """{ "Keyward": { "SignIn": { "InviteLifetime": "02:00:00", "CeremonyLifetime": "00:02:00" } } }""");
        Environment.SetEnvironmentVariable(EnvironmentSetting, DefaultInviteLifetime);
        try
        {
            await using (var keyward = HostedKeyward.Build([], file))
            {
                var signIn = keyward.App.Services.GetRequiredService<IOptions<SignInOptions>>().Value;
                Assert.Equal(TimeSpan.FromDays(1), signIn.InviteLifetime);     // the environment beats the file
                Assert.Equal(TimeSpan.FromMinutes(2), signIn.CeremonyLifetime); // the file is read (beats the default)
            }

            await using (var keyward = HostedKeyward.Build(["--Keyward:SignIn:InviteLifetime=03:00:00"], file))
            {
                Assert.Equal(TimeSpan.FromHours(3), keyward.App.Services.GetRequiredService<IOptions<SignInOptions>>().Value.InviteLifetime);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(EnvironmentSetting, null);
        }
    }
}
