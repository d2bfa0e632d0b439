using Keyward.EndToEnd.Tests.Broker;
using Keyward.EndToEnd.Tests.Browser;

namespace Keyward.EndToEnd.Tests.WebConsole;

/// <summary>More virtual authenticators in a page, for adding a second key: one that answers only when told to.</summary>
internal static class VirtualKeys
{
    /// <summary>A second security key plugged in, idle: it answers no ceremony until its presence is switched on.</summary>
    public static async Task<string> AddIdleAuthenticatorAsync(SignInPage page)
    {
        var parameters = VirtualAuthenticator.Ctap2SecurityKey.ToCdpParams();
        ((Dictionary<string, object>)parameters["options"])["automaticPresenceSimulation"] = false;
        var result = await page.Cdp!.SendAsync("WebAuthn.addVirtualAuthenticator", parameters);
        return result!.Value.GetProperty("authenticatorId").GetString()!;
    }

    /// <summary>Whether the authenticator answers ceremonies (the person touching it).</summary>
    public static async Task SetPresenceAsync(SignInPage page, string authenticatorId, bool enabled) =>
        await page.Cdp!.SendAsync("WebAuthn.setAutomaticPresenceSimulation", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId, ["enabled"] = enabled });
}
